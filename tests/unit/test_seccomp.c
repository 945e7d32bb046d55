/* Seccomp: the shipped profile, resolution, strength check, describe, BPF. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/seccomp.h"
#include "secshim/util.h"
#include "tap-json.h"
#include "tap.h"

#define PROFILE "policy/seccomp/default.json"

static const char *docker_caps_json
    = "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\",\"CAP_MKNOD\",\"CAP_NET_RAW\","
      "\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\",\"CAP_SETPCAP\",\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\","
      "\"CAP_KILL\",\"CAP_AUDIT_WRITE\"]";

/* Does some rule of the resolved profile name `name` with this action? */
static const struct json_value *
find_rule (const struct json_value *profile, const char *name, const char *action)
{
  const struct json_value *rules = json_get (profile, "syscalls");
  size_t i;
  for (i = 0; rules && i < rules->count; i++)
    if (json_array_has_string (json_get (rules->items[i], "names"), name)
        && (action == NULL || str_equal (json_string (json_get (rules->items[i], "action")), action)))
      return rules->items[i];
  return NULL;
}

static bool
only_oci_keys (const struct json_value *p)
{
  static const char *const top[] = { "defaultAction", "defaultErrnoRet", "architectures", "flags", "syscalls", NULL };
  static const char *const rule[] = { "names", "action", "errnoRet", "args", NULL };
  const struct json_value *rules = json_get (p, "syscalls");
  size_t i, j, k;
  for (i = 0; i < p->count; i++)
    {
      bool ok = false;
      for (k = 0; top[k]; k++)
        ok = ok || strcmp (top[k], p->members[i].key) == 0;
      if (!ok)
        return false;
    }
  for (i = 0; i < rules->count; i++)
    for (j = 0; j < rules->items[i]->count; j++)
      {
        bool ok = false;
        for (k = 0; rule[k]; k++)
          ok = ok || strcmp (rule[k], rules->items[i]->members[j].key) == 0;
        if (!ok)
          return false;
      }
  return true;
}

static struct json_value *
resolve (const struct seccomp_source *src, const char *arch, const char *caps_json)
{
  struct json_value *caps = caps_json ? tap_json (caps_json) : NULL;
  struct json_value *out = NULL;
  secshim_error_t err = NULL;
  if (seccomp_source_resolve (src, arch, caps, &out, &err) < 0)
    {
      tap_diag ("resolve: %s", err->msg);
      abort ();
    }
  json_free (caps);
  return out;
}

static size_t
check (struct json_value *profile, const char *caps_json, bool fix, const char *expect_substring)
{
  struct seccomp_dangerous_list d;
  struct strv listeners = { NULL, 0 }, flags = { NULL, 0 };
  char *lv[] = { (char *) "/run/agent.sock", NULL };
  char *fv[] = { (char *) "SECCOMP_FILTER_FLAG_TSYNC", (char *) "SECCOMP_FILTER_FLAG_LOG", NULL };
  struct json_value *caps = caps_json ? tap_json (caps_json) : NULL;
  struct seccomp_problems problems = { NULL, 0 };
  struct seccomp_check_opts o;
  size_t i, n;
  bool seen = expect_substring == NULL;

  listeners.v = lv;
  listeners.n = 1;
  flags.v = fv;
  flags.n = 2;
  seccomp_dangerous_default (&d);
  o.dangerous = &d;
  o.listeners = &listeners;
  o.flags = &flags;
  o.bounding = caps;
  seccomp_check_profile (profile, &o, fix, &problems);
  for (i = 0; i < problems.n; i++)
    {
      tap_diag ("problem %s: %s", problems.v[i].path, problems.v[i].message);
      if (expect_substring && strstr (problems.v[i].message, expect_substring))
        seen = true;
    }
  n = problems.n;
  if (!seen)
    n = (size_t) -1;
  seccomp_problems_free (&problems);
  seccomp_dangerous_free (&d);
  json_free (caps);
  return n;
}

static void
test_shipped_profile (void)
{
  struct seccomp_source *src = NULL;
  secshim_error_t err = NULL;
  struct json_value *p;
  struct seccomp_dangerous_list d;
  const struct json_value *clone, *clone3, *arches;

  TAP_CHECK (seccomp_source_load_file (PROFILE, &src, &err) == 0, "shipped profile loads: %s", err ? err->msg : "ok");
  if (src == NULL)
    return;
  seccomp_dangerous_default (&d);
  TAP_CHECK (seccomp_source_self_check (src, &d, &err) == 0, "shipped profile passes its own strength check: %s",
             err ? err->msg : "ok");
  seccomp_dangerous_free (&d);

  p = resolve (src, "SCMP_ARCH_X86_64", docker_caps_json);
  arches = json_get (p, "architectures");
  TAP_CHECK (arches && arches->count == 3 && str_equal (json_string (arches->items[0]), "SCMP_ARCH_X86_64")
                 && json_array_has_string (arches, "SCMP_ARCH_X86") && json_array_has_string (arches, "SCMP_ARCH_X32"),
             "x86_64 resolves to x86_64 + x86 + x32");
  TAP_CHECK (only_oci_keys (p), "resolved profile has only OCI fields");
  TAP_CHECK (str_equal (json_string (json_get (p, "defaultAction")), "SCMP_ACT_ERRNO")
                 && str_equal (json_get (p, "defaultErrnoRet")->str, "1"),
             "default action ERRNO, errno 1");
  clone = find_rule (p, "clone", "SCMP_ACT_ALLOW");
  TAP_CHECK (clone && json_get (clone, "args") && json_get (clone, "args")->count == 1
                 && str_equal (json_get (json_get (clone, "args")->items[0], "value")->str, "2114060288"),
             "clone allowed only with the namespace mask 0x7E020000");
  clone3 = find_rule (p, "clone3", NULL);
  TAP_CHECK (clone3 && str_equal (json_string (json_get (clone3, "action")), "SCMP_ACT_ERRNO")
                 && str_equal (json_get (clone3, "errnoRet")->str, "38"),
             "clone3 answered ENOSYS without CAP_SYS_ADMIN");
  TAP_CHECK (!find_rule (p, "unshare", NULL) && !find_rule (p, "mount", NULL) && !find_rule (p, "fsopen", NULL)
                 && !find_rule (p, "setns", NULL) && !find_rule (p, "bpf", NULL) && !find_rule (p, "keyctl", NULL)
                 && !find_rule (p, "ptrace", NULL) && !find_rule (p, "open_by_handle_at", NULL)
                 && !find_rule (p, "io_uring_setup", NULL) && !find_rule (p, "userfaultfd", NULL),
             "docker's default caps: no namespace, mount, bpf, keyring, ptrace, handle, io_uring, userfaultfd call");
  TAP_CHECK (find_rule (p, "chroot", NULL) != NULL, "CAP_SYS_CHROOT unlocks chroot");
  TAP_CHECK (find_rule (p, "arch_prctl", NULL) && !find_rule (p, "set_tls", NULL), "x86 names only on x86");
  TAP_CHECK (check (p, docker_caps_json, false, NULL) == 0, "resolved profile passes the strength check");
  json_free (p);

  p = resolve (src, "SCMP_ARCH_X86_64", "[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\"]");
  clone = find_rule (p, "clone", "SCMP_ACT_ALLOW");
  TAP_CHECK (clone && json_get (clone, "args") == NULL && find_rule (p, "unshare", "SCMP_ACT_ALLOW")
                 && find_rule (p, "clone3", "SCMP_ACT_ALLOW") && !find_rule (p, "clone3", "SCMP_ACT_ERRNO")
                 && find_rule (p, "ptrace", "SCMP_ACT_ALLOW") && !find_rule (p, "chroot", NULL),
             "CAP_SYS_ADMIN unlocks clone, clone3 and unshare; CAP_SYS_PTRACE ptrace; no CHROOT, no chroot");
  json_free (p);

  p = resolve (src, "SCMP_ARCH_AARCH64", docker_caps_json);
  arches = json_get (p, "architectures");
  TAP_CHECK (arches && arches->count == 2 && json_array_has_string (arches, "SCMP_ARCH_ARM")
                 && find_rule (p, "set_tls", NULL) && !find_rule (p, "arch_prctl", NULL),
             "aarch64 resolves to aarch64 + arm with the arm names");
  json_free (p);

  {
    struct json_value *out = NULL;
    TAP_CHECK (seccomp_source_resolve (src, "SCMP_ARCH_S390X", NULL, &out, &err) < 0 && strstr (err->msg, "no entry"),
               "an architecture the archMap lacks is an error, not an empty filter");
    secshim_error_release (&err);
  }
  seccomp_source_free (src);
}

static void
test_source_errors (void)
{
  static const struct
  {
    const char *doc;
    const char *expect;
  } cases[] = {
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\","
      "\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],\"syscalls\":[{\"names\":[\"read\",\"reed\"],"
      "\"action\":\"SCMP_ACT_ALLOW\"}]}",
      "`reed` is not a syscall on SCMP_ARCH_X86_64, SCMP_ARCH_X86" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_AARCH64\","
      "\"subArchitectures\":null}],\"syscalls\":[{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
      "`arch_prctl` is not a syscall on SCMP_ARCH_AARCH64" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[]}",
      "must deny by default" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[],\"x\":1}",
      "unknown key `x`" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":"
      "[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_NOPE\"]}}]}",
      "unknown capability `CAP_NOPE`" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":"
      "[\"SECCOMP_FILTER_FLAG_NEW\"],\"syscalls\":[]}",
      "unknown flag `SECCOMP_FILTER_FLAG_NEW`" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":"
      "[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
      "index: expected an integer from 0 to 5" },
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct json_value *doc = tap_json (cases[i].doc);
      struct seccomp_source *src = NULL;
      secshim_error_t err = NULL;
      int r = seccomp_source_load_json (doc, "test", &src, &err);
      TAP_CHECK (r < 0 && err && strstr (err->msg, cases[i].expect), "source refused: %s (%s)", cases[i].expect,
                 err ? err->msg : "accepted");
      secshim_error_release (&err);
      seccomp_source_free (src);
      json_free (doc);
    }

  /* A source that grants unshare by itself fails the self check. */
  {
    struct json_value *doc = tap_json ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                                       "\"syscalls\":[{\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ALLOW\","
                                       "\"includes\":{\"caps\":[\"CAP_NET_ADMIN\"]}},{\"names\":[\"keyctl\"],"
                                       "\"action\":\"SCMP_ACT_ALLOW\"}]}");
    struct seccomp_source *src = NULL;
    struct seccomp_dangerous_list d;
    secshim_error_t err = NULL;
    seccomp_dangerous_default (&d);
    TAP_CHECK (seccomp_source_load_json (doc, "test", &src, &err) == 0, "weak but well-formed source parses");
    TAP_CHECK (src && seccomp_source_self_check (src, &d, &err) < 0 && strstr (err->msg, "`keyctl` is allowed"),
               "self check refuses a source allowing keyctl: %s", err ? err->msg : "accepted");
    secshim_error_release (&err);
    seccomp_dangerous_free (&d);
    seccomp_source_free (src);
    json_free (doc);
  }
}

#define HEAD "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"

static void
test_strength (void)
{
  struct json_value *p;

  p = tap_json (HEAD "\"syscalls\":[{\"names\":[\"read\",\"unshare\",\"mount\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  TAP_CHECK (check (p, docker_caps_json, false, "`unshare` is allowed (SCMP_ACT_ALLOW) without CAP_SYS_ADMIN") == 2,
             "unshare and mount allowed without CAP_SYS_ADMIN: 2 problems");
  TAP_CHECK (check (p, docker_caps_json, true, NULL) == 2 && !find_rule (p, "unshare", NULL)
                 && !find_rule (p, "mount", NULL) && find_rule (p, "read", NULL),
             "rewrite removes unshare and mount, keeps read");
  TAP_CHECK (check (p, docker_caps_json, false, NULL) == 0, "fixed profile passes");
  json_free (p);

  p = tap_json (HEAD "\"syscalls\":[{\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_LOG\","
                     "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_GE\"}]}]}");
  TAP_CHECK (check (p, docker_caps_json, false, "`unshare` is allowed (SCMP_ACT_LOG)") == 1,
             "a conditional LOG of unshare still counts as allowed");
  TAP_CHECK (check (p, "[\"CAP_SYS_ADMIN\"]", false, NULL) == 0, "with CAP_SYS_ADMIN unshare is fine");
  TAP_CHECK (check (p, docker_caps_json, true, NULL) == 1 && json_get (p, "syscalls")->count == 0,
             "rewrite drops the emptied rule");
  json_free (p);

  p = tap_json (HEAD "\"syscalls\":[{\"names\":[\"keyctl\",\"bpf\"],\"action\":\"SCMP_ACT_TRACE\"}]}");
  TAP_CHECK (
      check (p, "[\"CAP_SYS_ADMIN\",\"CAP_BPF\"]", false, "`keyctl` is allowed (SCMP_ACT_TRACE) in any container") == 1,
      "keyctl is never allowed, bpf is with CAP_BPF; TRACE counts as allowing");
  json_free (p);

  p = tap_json (HEAD "\"syscalls\":[{\"names\":[\"clone\",\"clone3\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  TAP_CHECK (check (p, docker_caps_json, false, "`clone` is allowed (SCMP_ACT_ALLOW) without CAP_SYS_ADMIN") == 2,
             "unmasked clone and allowed clone3: 2 problems");
  TAP_CHECK (check (p, docker_caps_json, true, NULL) == 2, "rewrite fixes both");
  {
    const struct json_value *c = find_rule (p, "clone", "SCMP_ACT_ALLOW");
    const struct json_value *c3 = find_rule (p, "clone3", NULL);
    TAP_CHECK (c && json_get (c, "args") && c3 && str_equal (json_string (json_get (c3, "action")), "SCMP_ACT_ERRNO")
                   && str_equal (json_get (c3, "errnoRet")->str, "38"),
               "rewrite puts back clone with the mask and clone3 -> ENOSYS");
  }
  TAP_CHECK (check (p, docker_caps_json, false, NULL) == 0, "rewritten clone rules pass");
  json_free (p);

  p = tap_json (HEAD "\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
                     "{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"},"
                     "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_GE\"}]}]}");
  TAP_CHECK (check (p, docker_caps_json, false, "`clone` is allowed") == 1,
             "a repeated index turns the mask into an OR (runc): refused");
  json_free (p);

  p = tap_json (HEAD "\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
                     "{\"index\":0,\"value\":2080374784,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}");
  TAP_CHECK (check (p, docker_caps_json, false, "`clone` is allowed") == 1,
             "a mask missing CLONE_NEWNS (0x7C000000) is refused");
  json_free (p);

  p = tap_json (HEAD "\"listenerPath\":\"/run/evil.sock\",\"listenerMetadata\":\"x\",\"syscalls\":[{\"names\":"
                     "[\"openat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  TAP_CHECK (check (p, docker_caps_json, false, "listener `/run/evil.sock` is not allowed") == 2,
             "unlisted listenerPath and its notify rule: 2 problems");
  TAP_CHECK (check (p, docker_caps_json, true, NULL) == 2 && !json_get (p, "listenerPath")
                 && !json_get (p, "listenerMetadata") && json_get (p, "syscalls")->count == 0,
             "rewrite drops listenerPath, listenerMetadata and the notify rule");
  json_free (p);

  p = tap_json (HEAD "\"syscalls\":[{\"names\":[\"clone\",\"clone3\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  TAP_CHECK (check (p, docker_caps_json, true, NULL) == 1 && find_rule (p, "clone", "SCMP_ACT_ALLOW")
                 && find_rule (p, "clone3", "SCMP_ACT_ERRNO") && !find_rule (p, "clone", "SCMP_ACT_NOTIFY"),
             "dropping a notify rule for clone puts back masked clone and clone3 -> ENOSYS");
  json_free (p);

  p = tap_json (HEAD "\"listenerPath\":\"/run/agent.sock\",\"syscalls\":[{\"names\":[\"mount\"],"
                     "\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  TAP_CHECK (check (p, docker_caps_json, false, NULL) == 0, "an allowlisted listener may be asked about mount");
  json_free (p);

  p = tap_json (HEAD "\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"BOGUS\"],"
                     "\"syscalls\":[]}");
  TAP_CHECK (check (p, NULL, false, "speculative store bypass") == 2, "SPEC_ALLOW and an unknown flag refused");
  TAP_CHECK (check (p, NULL, true, NULL) == 2 && json_get (p, "flags")->count == 1, "rewrite keeps only TSYNC");
  json_free (p);

  {
    const char *why = NULL;
    struct json_value *a = tap_json ("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
    struct json_value *l = tap_json ("{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[]}");
    struct json_value *e = tap_json ("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\"}");
    struct json_value *u = tap_json ("{\"defaultAction\":\"SCMP_ACT_PERMIT\"}");
    TAP_CHECK (seccomp_profile_is_weak (NULL, &why) && seccomp_profile_is_weak (a, &why)
                   && seccomp_profile_is_weak (l, &why) && seccomp_profile_is_weak (u, &why)
                   && !seccomp_profile_is_weak (e, &why),
               "weak: absent, ALLOW, LOG, unknown; not weak: KILL_PROCESS");
    json_free (a);
    json_free (l);
    json_free (e);
    json_free (u);
  }
}

/* The strength check finds a dangerous name by a hash index: every name of
 * the list is found, whatever its slot, and names that only look alike
 * (a prefix, one more letter, another case) are not. */
static void
test_dangerous_lookup (void)
{
  static const char *const lookalikes[]
      = { "", "m", "moun", "mountt", "MOUNT", "unshare ", "keyct", "clone33", "read", "write", "open_by_handle" };
  struct seccomp_dangerous_list d;
  struct seccomp_problems problems = { NULL, 0 };
  struct seccomp_check_opts o = { 0 };
  struct json_value *profile = tap_json ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
                                         "{\"action\":\"SCMP_ACT_ALLOW\",\"names\":[]}]}");
  struct json_value *names = json_get (json_get (profile, "syscalls")->items[0], "names");
  size_t i, found = 0;

  seccomp_dangerous_default (&d);
  for (i = 0; i < sizeof lookalikes / sizeof lookalikes[0]; i++)
    json_array_append (names, json_new_string (lookalikes[i]));
  for (i = 0; i < d.n; i++)
    json_array_append (names, json_new_string (d.v[i].name));
  o.dangerous = &d;
  seccomp_check_profile (profile, &o, false, &problems);
  for (i = 0; i < problems.n; i++)
    {
      size_t k;
      for (k = 0; k < d.n; k++)
        {
          char *want = NULL;
          xasprintf (&want, "`%s` is allowed", d.v[k].name);
          if (str_has_prefix (problems.v[i].message, want))
            found++;
          free (want);
        }
    }
  TAP_CHECK (problems.n == d.n && found == d.n && d.n > 16,
             "each of the %zu dangerous names is found, no lookalike is (%zu problems)", d.n, problems.n);
  seccomp_problems_free (&problems);
  seccomp_dangerous_free (&d);
  json_free (profile);
}

/* The sieve never lets a dangerous name or clone pass unchecked (that
 * would be a miss of the strength check), and does let most ordinary names
 * pass (or it saves nothing). */
static void
test_dangerous_sieve (void)
{
  static const char *const ordinary[] = { "read",       "write",  "openat",       "close",      "mmap",  "futex",
                                          "epoll_wait", "getpid", "rt_sigaction", "exit_group", "fstat", "brk" };
  struct seccomp_dangerous_list d, unindexed;
  struct json_value *v;
  size_t i, stopped = 0, passed = 0;

  seccomp_dangerous_default (&d);
  for (i = 0; i <= d.n; i++)
    {
      v = json_new_string (i < d.n ? d.v[i].name : "clone");
      if (!seccomp_dangerous_sieve_passes (&d, v))
        stopped++;
      json_free (v);
    }
  TAP_CHECK (stopped == d.n + 1, "the sieve stops every dangerous name and clone (%zu of %zu)", stopped, d.n + 1);
  for (i = 0; i < sizeof ordinary / sizeof ordinary[0]; i++)
    {
      v = json_new_string (ordinary[i]);
      if (seccomp_dangerous_sieve_passes (&d, v))
        passed++;
      json_free (v);
    }
  TAP_CHECK (passed >= 9, "the sieve passes most ordinary names (%zu of %zu)", passed,
             sizeof ordinary / sizeof ordinary[0]);
  v = json_new_string ("");
  TAP_CHECK (!seccomp_dangerous_sieve_passes (&d, v), "an empty name takes the full check");
  json_free (v);
  v = json_new_u64 (1);
  TAP_CHECK (!seccomp_dangerous_sieve_passes (&d, v), "a number takes the full check");
  json_free (v);
  unindexed = d;
  unindexed.slots = NULL;
  v = json_new_string ("read");
  TAP_CHECK (!seccomp_dangerous_sieve_passes (&unindexed, v) && !seccomp_dangerous_sieve_passes (NULL, v),
             "without an index or a list, nothing passes unchecked");
  json_free (v);
  seccomp_dangerous_free (&d);
}

static void
test_dangerous_parse (void)
{
  struct seccomp_dangerous_list d = { NULL, 0 };
  secshim_error_t err = NULL;
  struct json_value *ok = tap_json ("{\"unshare\":[\"CAP_SYS_ADMIN\"],\"keyctl\":[]}");
  struct json_value *badcap = tap_json ("{\"unshare\":[\"SYS_ADMIN\"]}");
  struct json_value *badname = tap_json ("{\"unshar\":[]}");
  int r;

  TAP_CHECK (seccomp_dangerous_parse (ok, "rules.seccomp.dangerous", &d, &err) == 0 && d.n == 2 && d.v[1].caps.n == 0,
             "dangerous list parses");
  seccomp_dangerous_free (&d);
  r = seccomp_dangerous_parse (badcap, "rules.seccomp.dangerous", &d, &err);
  TAP_CHECK (r < 0 && strstr (err->msg, "rules.seccomp.dangerous.unshare[0]"), "capability without CAP_ refused: %s",
             err ? err->msg : "accepted");
  secshim_error_release (&err);
  r = seccomp_dangerous_parse (badname, "rules.seccomp.dangerous", &d, &err);
  TAP_CHECK (r < 0 && strstr (err->msg, "`unshar` is not a syscall"), "unknown syscall refused: %s",
             err ? err->msg : "accepted");
  secshim_error_release (&err);
  json_free (ok);
  json_free (badcap);
  json_free (badname);
}

static void
test_describe_and_bpf (void)
{
  struct seccomp_source *src = NULL;
  secshim_error_t err = NULL;
  static const char *const arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64" };
  static const char *const capsets[] = { NULL, "[\"CAP_SYS_ADMIN\"]",
                                         "[\"CAP_SYS_ADMIN\",\"CAP_SYSLOG\",\"CAP_BPF\","
                                         "\"CAP_PERFMON\",\"CAP_SYS_PTRACE\",\"CAP_SYS_TIME\",\"CAP_SYS_RAWIO\"]" };
  size_t a, c;

  if (seccomp_source_load_file (PROFILE, &src, &err) < 0)
    {
      TAP_CHECK (0, "load: %s", err->msg);
      return;
    }
  for (a = 0; a < 2; a++)
    {
      struct json_value *p = resolve (src, arches[a], docker_caps_json);
      char *text = NULL;
      TAP_CHECK (seccomp_describe (p, &text, &err) == 0
                     && strstr (text, "blocked: namespaces, mount, new mount API, bpf, keyrings")
                     && strstr (text, "allowed: (none of the dangerous families)"),
                 "%s describe: every family blocked with docker's caps", arches[a]);
      for (char *line = text ? strtok (text, "\n") : NULL; line; line = strtok (NULL, "\n"))
        tap_diag ("%s", line);
      free (text);
      json_free (p);
      for (c = 0; c < 3; c++)
        {
          int fd = memfd_create ("bpf", MFD_CLOEXEC);
          struct stat st;
          p = resolve (src, arches[a], capsets[c]);
          bool ok = fd >= 0 && seccomp_export_bpf_fd (p, fd, &err) == 0 && fstat (fd, &st) == 0;
          TAP_CHECK (ok && st.st_size > 0 && st.st_size % 8 == 0, "%s caps %s: compiles to BPF (%lld bytes)", arches[a],
                     capsets[c] ? capsets[c] : "none", ok ? (long long) st.st_size : -1LL);
          if (err)
            tap_diag ("%s", err->msg);
          secshim_error_release (&err);
          if (fd >= 0)
            close (fd);
          json_free (p);
        }
    }
  {
    struct json_value *p = resolve (src, "SCMP_ARCH_X86_64", "[\"CAP_SYS_ADMIN\"]");
    char *text = NULL;
    TAP_CHECK (seccomp_describe (p, &text, &err) == 0
                   && strstr (text, "allowed: namespaces, mount, new mount API, bpf"),
               "describe with CAP_SYS_ADMIN lists namespaces and mounts as allowed");
    free (text);
    json_free (p);
  }
  seccomp_source_free (src);
}

static void
test_fixtures (void)
{
  const char *dir = getenv ("SECSHIM_FIXTURES") ? getenv ("SECSHIM_FIXTURES") : "tests/fixtures";
  static const struct
  {
    const char *file;
    const char *errno_lexeme; /* how the fixture spells its ENOSYS */
    bool weak_custom;         /* the engine's profile lets namespaces through */
  } fixtures[] = {
    { "docker-20.10/default.config.json", "\"errnoRet\":38", false },
    { "podman-4.3/podman-default.config.json", "\"defaultErrnoRet\":38", true },
  };
  size_t i;

  for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
    {
      cleanup_free char *path = NULL;
      struct json_value *doc, *again = NULL;
      struct json_value *sc;
      char *text = NULL, *caps;
      size_t len, n;
      secshim_error_t err = NULL;
      xasprintf (&path, "%s/%s", dir, fixtures[i].file);
      doc = tap_json_file (path);
      if (doc == NULL)
        {
          TAP_SKIP ("fixture %s not found", path);
          continue;
        }
      sc = json_get_path (doc, "linux.seccomp");
      TAP_CHECK (json_write (sc, &text, &len, &err) == 0 && json_parse (text, len, NULL, &again, &err) == 0
                     && json_equal (sc, again) && strstr (text, fixtures[i].errno_lexeme),
                 "%s: seccomp with %s round-trips", fixtures[i].file, fixtures[i].errno_lexeme);
      free (text);
      caps = json_render_short (json_get_path (doc, "process.capabilities.bounding"), 4096);
      n = check (sc, caps, false, fixtures[i].weak_custom ? "`unshare` is allowed" : NULL);
      if (!fixtures[i].weak_custom)
        TAP_CHECK (n == 0, "%s: the engine's own profile passes the strength check", fixtures[i].file);
      else
        {
          TAP_CHECK (n != (size_t) -1 && n > 0,
                     "%s: the engine's profile allows unshare without CAP_SYS_ADMIN (%zu problems)", fixtures[i].file,
                     n);
          TAP_CHECK (check (sc, caps, true, NULL) == n && check (sc, caps, false, NULL) == 0
                         && find_rule (sc, "read", "SCMP_ACT_ALLOW") && find_rule (sc, "clone", "SCMP_ACT_ALLOW")
                         && !find_rule (sc, "unshare", "SCMP_ACT_ALLOW"),
                     "%s: rewrite leaves a passing profile that still forks", fixtures[i].file);
        }
      free (caps);
      json_free (again);
      json_free (doc);
    }
}

int
main (void)
{
  test_shipped_profile ();
  test_source_errors ();
  test_strength ();
  test_dangerous_parse ();
  test_dangerous_lookup ();
  test_dangerous_sieve ();
  test_describe_and_bpf ();
  test_fixtures ();
  return tap_done ();
}
