/* What a profile allows, for `secshim check`, and its compiled BPF. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <seccomp.h>

#include "internal.h"
#include "secshim/cleanup.h"
#include "secshim/seccomp.h"
#include "secshim/util.h"

/* The families docs/seccomp.md explains; describe says for each whether any
 * of its calls gets through. */
static const struct
{
  const char *family;
  const char *names[9];
} families[] = {
  { "namespaces", { "unshare", "setns", "clone", "clone3" } },
  { "mount", { "mount", "umount", "umount2", "pivot_root" } },
  { "new mount API", { "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount", "mount_setattr" } },
  { "bpf", { "bpf" } },
  { "keyrings", { "keyctl", "add_key", "request_key" } },
  { "kexec", { "kexec_load", "kexec_file_load" } },
  { "kernel modules", { "init_module", "finit_module", "delete_module" } },
  { "open_by_handle_at", { "open_by_handle_at" } },
  { "perf_event_open", { "perf_event_open" } },
  { "userfaultfd", { "userfaultfd" } },
  { "ptrace", { "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp", "pidfd_getfd" } },
  { "reboot", { "reboot" } },
  { "swap", { "swapon", "swapoff" } },
  { "acct", { "acct" } },
  { "clock setting", { "settimeofday", "stime", "clock_settime", "clock_settime64" } },
  { "raw I/O ports", { "iopl", "ioperm" } },
  { "io_uring", { "io_uring_setup", "io_uring_enter", "io_uring_register" } },
  { "quotas and syslog", { "quotactl", "quotactl_fd", "lookup_dcookie", "fanotify_init", "syslog" } },
};

/* Does some permitting rule let `name` through?  clone with the namespace
 * mask does not count: the family it belongs to stays blocked. */
static bool
name_gets_through (const struct json_value *profile, const char *name)
{
  const struct json_value *rules = json_get (profile, "syscalls");
  size_t i;
  for (i = 0; json_is (rules, JSON_ARRAY) && i < rules->count; i++)
    {
      const struct json_value *rule = rules->items[i];
      if (!sc_action_permits (json_string (json_get (rule, "action"))))
        continue;
      if (!json_array_has_string (json_get (rule, "names"), name))
        continue;
      if (strcmp (name, "clone") == 0 && sc_args_block_clone_ns (json_get (rule, "args")))
        continue;
      return true;
    }
  return false;
}

static size_t
count_allowed_on_arch (const struct json_value *profile, uint32_t arch)
{
  const struct json_value *rules = json_get (profile, "syscalls");
  cleanup_with (json_free) struct json_value *seen = json_new_array ();
  size_t i, j;

  for (i = 0; json_is (rules, JSON_ARRAY) && i < rules->count; i++)
    {
      const struct json_value *rule = rules->items[i];
      const struct json_value *names = json_get (rule, "names");
      if (!sc_action_permits (json_string (json_get (rule, "action"))))
        continue;
      for (j = 0; json_is (names, JSON_ARRAY) && j < names->count; j++)
        {
          const char *n = json_string (names->items[j]);
          if (n && sc_name_on_arch (arch, n))
            sc_strarray_add_unique (seen, n);
        }
    }
  return seen->count;
}

static void append (char **s, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
append (char **s, const char *fmt, ...)
{
  va_list ap;
  char *piece = NULL, *t = NULL;
  va_start (ap, fmt);
  xvasprintf (&piece, fmt, ap);
  va_end (ap);
  xasprintf (&t, "%s%s", *s ? *s : "", piece);
  free (piece);
  free (*s);
  *s = t;
}

int
seccomp_describe (const struct json_value *profile, char **text, secshim_error_t *err)
{
  const char *why = NULL;
  const struct json_value *arches = json_get (profile, "architectures");
  const struct json_value *rules = json_get (profile, "syscalls");
  cleanup_free char *s = NULL;
  size_t i, j;
  bool first_blocked = true, first_open = true;
  char *open_list = NULL;

  if (seccomp_profile_is_weak (profile, &why))
    {
      xasprintf (text, "seccomp: none effective (%s)\n", why);
      return 0;
    }
  append (&s, "seccomp: default %s", json_string (json_get (profile, "defaultAction")));
  if (json_get (profile, "defaultErrnoRet"))
    append (&s, " (errno %s)", json_get (profile, "defaultErrnoRet")->str);
  append (&s, ", %zu rules\n  allowed syscalls per architecture:", json_is (rules, JSON_ARRAY) ? rules->count : 0);
  if (!json_is (arches, JSON_ARRAY) || arches->count == 0)
    {
      const char *native = seccomp_native_arch_name ();
      append (&s, " %s %zu (native only)", native ? native : "?", count_allowed_on_arch (profile, SCMP_ARCH_NATIVE));
    }
  for (i = 0; json_is (arches, JSON_ARRAY) && i < arches->count; i++)
    {
      uint32_t token = sc_arch_token (json_string (arches->items[i]));
      if (token == 0)
        return secshim_make_error (err, SECSHIM_EINPUT, "linux.seccomp.architectures[%zu]: unknown architecture", i);
      append (&s, "%s %s %zu", i ? "," : "", json_string (arches->items[i]), count_allowed_on_arch (profile, token));
    }
  append (&s, "\n  blocked:");
  for (i = 0; i < sizeof families / sizeof families[0]; i++)
    {
      bool through = false;
      for (j = 0; families[i].names[j] && !through; j++)
        through = name_gets_through (profile, families[i].names[j]);
      if (!through)
        {
          append (&s, "%s %s", first_blocked ? "" : ",", families[i].family);
          first_blocked = false;
        }
      else
        {
          append (&open_list, "%s %s", first_open ? "" : ",", families[i].family);
          first_open = false;
        }
    }
  if (first_blocked)
    append (&s, " (none)");
  append (&s, "\n  allowed:%s\n", open_list ? open_list : " (none of the dangerous families)");
  free (open_list);
  *text = steal_pointer (&s);
  return 0;
}

/* ---- BPF ---- */

static void
release_ctx (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}

static int
action_value (const char *action, const struct json_value *errno_ret, uint32_t *out)
{
  uint32_t e = 1; /* runc: EPERM when errnoRet is absent */
  if (errno_ret && json_get_u32 (errno_ret, &e) < 0)
    return -1;
  if (action == NULL)
    return -1;
  if (strcmp (action, "SCMP_ACT_KILL") == 0 || strcmp (action, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (action, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (action, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (action, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO (e);
  else if (strcmp (action, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE (e);
  else if (strcmp (action, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (action, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp (action, "SCMP_ACT_NOTIFY") == 0)
    *out = SCMP_ACT_NOTIFY;
  else
    return -1;
  return 0;
}

static const struct
{
  const char *name;
  enum scmp_compare op;
} ops[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int
condition (const struct json_value *arg, struct scmp_arg_cmp *c)
{
  const char *op = json_string (json_get (arg, "op"));
  uint32_t index;
  uint64_t a = 0, b = 0;
  size_t i;

  if (op == NULL || json_get_u32 (json_get (arg, "index"), &index) < 0 || index > 5
      || json_get_u64 (json_get (arg, "value"), &a) < 0)
    return -1;
  if (json_get (arg, "valueTwo") && json_get_u64 (json_get (arg, "valueTwo"), &b) < 0)
    return -1;
  for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (ops[i].name, op) == 0)
      {
        c->arg = index;
        c->op = ops[i].op;
        c->datum_a = a;
        c->datum_b = b;
        return 0;
      }
  return -1;
}

static int
add_rule (scmp_filter_ctx ctx, uint32_t act, int nr, const struct json_value *args, const char *where,
          secshim_error_t *err)
{
  struct scmp_arg_cmp conds[6];
  unsigned counts[6] = { 0 };
  bool repeated = false;
  size_t i, n = json_is (args, JSON_ARRAY) ? args->count : 0;
  int ret;

  if (n > 6)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s.args: more than 6 conditions", where);
  for (i = 0; i < n; i++)
    {
      if (condition (args->items[i], &conds[i]) < 0)
        return secshim_make_error (err, SECSHIM_EINPUT, "%s.args[%zu]: invalid condition", where, i);
      if (++counts[conds[i].arg] > 1)
        repeated = true;
    }
  if (!repeated)
    {
      ret = seccomp_rule_add_array (ctx, act, nr, n, n ? conds : NULL);
      if (ret < 0)
        return secshim_make_error (err, -ret, "%s: seccomp_rule_add_array", where);
      return 0;
    }
  /* runc: a repeated index means one rule per condition. */
  for (i = 0; i < n; i++)
    {
      ret = seccomp_rule_add_array (ctx, act, nr, 1, &conds[i]);
      if (ret < 0)
        return secshim_make_error (err, -ret, "%s: seccomp_rule_add_array", where);
    }
  return 0;
}

static int
build_filter (const struct json_value *profile, scmp_filter_ctx *out, secshim_error_t *err)
{
  __attribute__ ((cleanup (release_ctx))) scmp_filter_ctx ctx = NULL;
  const struct json_value *arches = json_get (profile, "architectures");
  const struct json_value *rules = json_get (profile, "syscalls");
  const struct json_value *flags = json_get (profile, "flags");
  uint32_t def;
  size_t i, j;
  int ret;

  if (action_value (json_string (json_get (profile, "defaultAction")), json_get (profile, "defaultErrnoRet"), &def) < 0)
    return secshim_make_error (err, SECSHIM_EINPUT, "linux.seccomp.defaultAction: invalid");
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return secshim_make_error (err, ENOMEM, "seccomp_init");
  for (i = 0; json_is (arches, JSON_ARRAY) && i < arches->count; i++)
    {
      uint32_t token = sc_arch_token (json_string (arches->items[i]));
      if (token == 0)
        return secshim_make_error (err, SECSHIM_EINPUT, "linux.seccomp.architectures[%zu]: unknown", i);
      ret = seccomp_arch_add (ctx, token);
      if (ret < 0 && ret != -EEXIST)
        return secshim_make_error (err, -ret, "seccomp_arch_add %s", json_string (arches->items[i]));
    }
  for (i = 0; json_is (flags, JSON_ARRAY) && i < flags->count; i++)
    {
      const char *f = json_string (flags->items[i]);
      if (str_equal (f, "SECCOMP_FILTER_FLAG_LOG"))
        ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_LOG, 1);
      else if (str_equal (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
        ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_SSB, 1);
      else
        ret = 0; /* TSYNC, WAIT_KILLABLE_RECV: load-time behaviour only */
      if (ret < 0)
        return secshim_make_error (err, -ret, "seccomp_attr_set %s", f);
    }
  for (i = 0; json_is (rules, JSON_ARRAY) && i < rules->count; i++)
    {
      const struct json_value *rule = rules->items[i];
      const struct json_value *names = json_get (rule, "names");
      cleanup_free char *where = NULL;
      uint32_t act;

      xasprintf (&where, "linux.seccomp.syscalls[%zu]", i);
      if (action_value (json_string (json_get (rule, "action")), json_get (rule, "errnoRet"), &act) < 0)
        return secshim_make_error (err, SECSHIM_EINPUT, "%s.action: invalid", where);
      if (act == def)
        continue; /* runc skips these: libseccomp refuses them */
      for (j = 0; json_is (names, JSON_ARRAY) && j < names->count; j++)
        {
          const char *name = json_string (names->items[j]);
          int nr = name ? seccomp_syscall_resolve_name (name) : __NR_SCMP_ERROR;
          if (nr == __NR_SCMP_ERROR)
            continue; /* runc ignores names libseccomp does not know */
          if (add_rule (ctx, act, nr, json_get (rule, "args"), where, err) < 0)
            return secshim_error_wrap (err, "syscall `%s`", name);
        }
    }
  *out = steal_pointer (&ctx);
  return 0;
}

int
seccomp_export_bpf_fd (const struct json_value *profile, int fd, secshim_error_t *err)
{
  __attribute__ ((cleanup (release_ctx))) scmp_filter_ctx ctx = NULL;
  int ret;
  if (build_filter (profile, &ctx, err) < 0)
    return -1;
  ret = seccomp_export_bpf (ctx, fd);
  if (ret < 0)
    return secshim_make_error (err, -ret, "seccomp_export_bpf");
  return 0;
}
