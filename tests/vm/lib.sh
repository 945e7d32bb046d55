# Shared by tests/vm/*.sh (inside the VM).  Results are "ok - ..." and
# "not ok - ..."; hack/vm-init.sh numbers them and prints the plan.
# t DESC CMD...: ok when CMD succeeds; on failure its output as comments.
t() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then echo "ok - $desc"; else
    echo "not ok - $desc"
    printf '%s\n' "$out" | head -n 15 | sed 's/^/    /'
  fi
}
