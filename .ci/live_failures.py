"""pytest plugin for .ci/gpu: append each failure's report to $LIVE_FAILURES as it happens,
so a run cut short by its time limit still says what failed."""
import os


def pytest_runtest_logreport(report):
    path = os.environ.get("LIVE_FAILURES")
    if path and report.failed:
        with open(path, "a") as f:
            f.write(f"=== {report.nodeid} ({report.when})\n{report.longreprtext}\n\n")
