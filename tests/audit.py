"""Security audit for CI (`make audit`): bandit over the portal's code, pip-audit over the pinned
requirements. Fails on any bandit finding of medium or high severity and on any known
vulnerability. pip-audit needs PyPI's vulnerability data; where the machine reaches only a
package mirror, every dependency comes back "skipped" — that is reported loudly as NOT AUDITED
rather than passed off as "no known vulnerabilities"."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def bandit() -> int:
    result = subprocess.run([BIN / "bandit", "-q", "-r", "tracker", "wsgi.py", "-ll", "-f", "json"],
                            cwd=ROOT, capture_output=True, text=True)
    findings = json.loads(result.stdout or "{}").get("results", [])
    for item in findings:
        print(f"bandit {item['issue_severity']}: {item['filename']}:{item['line_number']} {item['issue_text']}")
    print(f"bandit: {len(findings)} finding(s) of medium or high severity")
    return 1 if findings else 0


def pip_audit() -> int:
    result = subprocess.run([BIN / "pip-audit", "-r", "requirements.txt", "--progress-spinner", "off",
                             "-f", "json"], cwd=ROOT, capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print("pip-audit: NOT AUDITED — it gave no report:", (result.stderr or "").strip().splitlines()[-1:])
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for item in vulnerable:
        ids = ", ".join(v["id"] for v in item["vulns"])
        print(f"pip-audit: {item['name']} {item['version']}: {ids}")
    audited = len(dependencies) - len(skipped)
    if audited == 0:
        print(f"pip-audit: NOT AUDITED — the vulnerability service was not reachable for any of the "
              f"{len(dependencies)} dependencies (this machine reaches only a package mirror)")
    else:
        print(f"pip-audit: {audited} dependencies audited, {len(skipped)} skipped, {len(vulnerable)} vulnerable")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(bandit() | pip_audit())
