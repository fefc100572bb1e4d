// Start the NHS.UK frontend components (error summary focus, conditional radios, header).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
