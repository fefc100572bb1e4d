"""A local EHR to try BoneCare's SMART launch by hand, beside `make run` (README, "SMART on
FHIR"): the test EHR's authorization server and FHIR server on fixed ports, registered with
BoneCare as a public client, and a launch link printed for each example patient.

python -m tests.smart.demo [--app http://127.0.0.1:8000] [--fhir-port 8010] [--auth-port 8011]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.smart.ehr import DEFAULT_USER, PUBLIC_CLIENT_ID, ROOT, TestEhr, node_missing_reason

NAME = "Local test EHR"
PATIENTS = {"p-v01": "V01 breast, thoracic lesion", "p-v20": "V20 breast, signs of cord "
            "compression", "p-v34": "V34 breast, clearance from creatinine"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="http://127.0.0.1:8000")
    parser.add_argument("--fhir-port", type=int, default=8010)
    parser.add_argument("--auth-port", type=int, default=8011)
    args = parser.parse_args()
    reason = node_missing_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    ehr = TestEhr(Path(tempfile.mkdtemp(prefix="bonecare-ehr-")), app_url=args.app,
                  client_jwks={"keys": []}, auth_port=args.auth_port,
                  fhir_port=args.fhir_port)
    ehr.start()
    try:
        _register(ehr)
        print(f"\nTest EHR running: FHIR base (iss) {ehr.fhir_base}, authorization server "
              f"{ehr.auth_issuer}.\nSign in at the EHR's page as '{DEFAULT_USER}' (any "
              "password). Open one of these in your browser:\n")
        for patient, words in PATIENTS.items():
            launch = ehr.launch_create(patient, encounter="demo-encounter")
            print(f"  {words}:\n  {args.app}/smart/launch?iss={ehr.fhir_base}&launch={launch}\n")
        print(f"Standalone launch: {args.app}/smart/ (patient p-v01).\nFiled summaries: "
              f"http://127.0.0.1:{ehr.fhir_port}/__test/documents\nCtrl-C stops the EHR.")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        ehr.stop()


def _register(ehr: TestEhr) -> None:
    """Register the EHR with BoneCare's database (the one `make run` uses), once per port."""
    python = ROOT / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(python if python.exists() else sys.executable), "manage.py",
         "create_smart_client", f"{NAME} ({ehr.fhir_port})", "--iss", ehr.fhir_base,
         "--client-id", PUBLIC_CLIENT_ID, "--create-accounts"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true")})
    said = (done.stdout + done.stderr).strip().splitlines()
    if done.returncode != 0 and not any("already exists" in line for line in said):
        print("\n".join(said[-5:]), file=sys.stderr)
        raise SystemExit(1)
    print(said[-1] if done.returncode == 0 else "Already registered with BoneCare.")


if __name__ == "__main__":
    raise SystemExit(main())
