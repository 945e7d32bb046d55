# Shared by tests/vm/*.sh (inside the VM).  Results are "ok - ..." and
# "not ok - ..."; hack/vm-init.sh numbers them and prints the plan.
# t DESC CMD...: ok when CMD succeeds; on failure its output as comments.
t() {
  local desc=$1 t_out
  shift
  if t_out=$("$@" 2>&1); then echo "ok - $desc"; else
    echo "not ok - $desc"
    printf "%s\n" "$t_out" | head -n 15 | sed 's/^/    /'
  fi
}
