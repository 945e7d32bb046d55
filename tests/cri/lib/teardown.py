"""Stop and remove every pod the CRI plugin still lists (end of a CRI test)."""
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import kubelet  # noqa: E402

errs = kubelet.Kubelet().teardown_all()
for e in errs:
    print("teardown:", e.details() if hasattr(e, "details") else e)
