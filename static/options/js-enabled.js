// Mark the page as scripted before it paints, as NHS.UK frontend expects.
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
