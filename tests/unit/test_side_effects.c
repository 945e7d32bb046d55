/* Decide, then apply (issue 13, item 2): `secshim check` never changes the
 * host, and a container refused by any rule causes no side effect.
 *
 * The runtime verbs and check take their host from host_current (); here
 * it is a fake whose every host-changing call (apparmor_ensure, the one
 * the apply step makes) fails the test and is counted.  An allowed
 * config under policy/default.json is the case that matters: the apparmor
 * rule (action rewrite) queues a profile load for it, and so it does for
 * docker --privileged, which rule privileged refuses first.  The positive control
 * shows the same evaluation plus policy_apply does reach the fake host, so
 * a zero count elsewhere means "not called", not "not wired". */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/host.h"
#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/runtime.h"
#include "secshim/spec.h"
#include "secshim/util.h"
#include "tap.h"

static unsigned changes;
/* runc spec's shape, nothing host-specific: allowed under default.json
 * once rewritten (uid, capabilities, AppArmor profile queued). */
static const char minimal[]
    = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, "
      "\"gid\": 0}}, \"root\": {\"path\": \"rootfs\"}, \"linux\": {\"maskedPaths\": [\"/proc/kcore\"], "
      "\"readonlyPaths\": [\"/proc/sys\"], \"namespaces\": [{\"type\": \"pid\"}, "
      "{\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"network\"}]}}";
static char tmp[] = "/tmp/secshim-side-effects.XXXXXX";

static int
forbidden_ensure (const struct host *h, const char *name, const char *text, size_t len, secshim_error_t *err)
{
  (void) h;
  (void) text;
  (void) len;
  changes++;
  return secshim_make_error (err, SECSHIM_EINPUT, "test host: loading AppArmor profile `%s` is a side effect", name);
}

static char *
slurp (const char *path, size_t *len)
{
  char *buf = NULL;
  FILE *f = fopen (path, "re");
  long n;
  if (f == NULL)
    return NULL;
  if (fseek (f, 0, SEEK_END) == 0 && (n = ftell (f)) >= 0 && fseek (f, 0, SEEK_SET) == 0)
    {
      buf = xzalloc ((size_t) n + 1);
      if (fread (buf, 1, (size_t) n, f) != (size_t) n)
        {
          free (buf);
          buf = NULL;
        }
      else if (len)
        *len = (size_t) n;
    }
  fclose (f);
  return buf;
}

static int
spit (const char *path, const char *buf, size_t len)
{
  FILE *f = fopen (path, "we");
  int ok;
  if (f == NULL)
    return -1;
  ok = fwrite (buf, 1, len, f) == len;
  return fclose (f) == 0 && ok ? 0 : -1;
}

/* A copy of policy/ with the audit log in the temporary directory: the
 * policies' data files are relative to it. */
static int
copy_policy (void)
{
  cleanup_free char *cmd = NULL, *path = NULL, *text = NULL, *patched = NULL;
  const char *at;
  size_t len = 0;
  xasprintf (&cmd, "cp -r policy %s/policy", tmp);
  if (system (cmd) != 0)
    return -1;
  xasprintf (&path, "%s/policy/default.json", tmp);
  text = slurp (path, &len);
  at = text ? strstr (text, "/var/log/secshim/audit.jsonl") : NULL;
  if (at == NULL)
    return -1;
  xasprintf (&patched, "%.*s%s/audit.jsonl%s", (int) (at - text), text, tmp,
             at + strlen ("/var/log/secshim/audit.jsonl"));
  return spit (path, patched, strlen (patched));
}

/* Run f with stdout and stderr on /dev/null: check prints its report. */
static int
quietly (int (*f) (int, char **), int argc, char **argv)
{
  int out = dup (STDOUT_FILENO), errfd = dup (STDERR_FILENO), null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  int ret;
  fflush (stdout);
  dup2 (null, STDOUT_FILENO);
  dup2 (null, STDERR_FILENO);
  ret = f (argc, argv);
  fflush (stdout);
  dup2 (out, STDOUT_FILENO);
  dup2 (errfd, STDERR_FILENO);
  close (out);
  close (errfd);
  close (null);
  return ret;
}

static size_t
entries (const char *dir)
{
  DIR *d = opendir (dir);
  size_t n = 0;
  if (d == NULL)
    return 0;
  while (readdir (d))
    n++;
  closedir (d);
  return n;
}

static void
test_check (const char *fixture, int want, const char *what)
{
  cleanup_free char *policy = NULL;
  cleanup_free char *before = NULL, *after = NULL;
  size_t stamps = entries ("/run/secshim/compiled");
  char *argv[] = { (char *) "check", (char *) "--policy", NULL, (char *) fixture, NULL };
  int ret;

  xasprintf (&policy, "%s/policy/default.json", tmp);
  argv[2] = policy;
  before = slurp (fixture, NULL);
  changes = 0;
  ret = quietly (check_main, 4, argv);
  after = slurp (fixture, NULL);
  TAP_CHECK (ret == want, "check %s: exit %d (want %d)", what, ret, want);
  TAP_CHECK (changes == 0, "check %s: no host-changing call (%u)", what, changes);
  TAP_CHECK (before && after && strcmp (before, after) == 0, "check %s: the document is untouched", what);
  TAP_CHECK (entries ("/run/secshim/compiled") == stamps, "check %s: no compiled policy written", what);
}

static void
test_refused_create (void)
{
  cleanup_free char *bundle = NULL, *config = NULL, *policy = NULL, *log = NULL, *rootfs = NULL;
  cleanup_free char *doc = NULL, *before = NULL, *after = NULL;
  size_t len = 0;
  char *argv[12];
  int argc = 0, ret;

  xasprintf (&bundle, "%s/bundle", tmp);
  xasprintf (&rootfs, "%s/bundle/rootfs", tmp);
  xasprintf (&config, "%s/bundle/config.json", tmp);
  xasprintf (&policy, "--secshim-policy=%s/policy/default.json", tmp);
  xasprintf (&log, "%s/runc.log", tmp);
  doc = slurp ("tests/fixtures/docker-20.10/privileged.config.json", &len);
  if (doc == NULL || mkdir (bundle, 0700) < 0 || mkdir (rootfs, 0755) < 0 || spit (config, doc, len) < 0)
    {
      TAP_CHECK (0, "refused create: set up the bundle in %s", bundle);
      return;
    }
  before = slurp (config, NULL);
  argv[argc++] = (char *) "runc";
  argv[argc++] = policy;
  /* Were runc exec'd, this process would become /bin/false and the TAP
   * plan would come up short. */
  argv[argc++] = (char *) "--secshim-runtime=/bin/false";
  argv[argc++] = (char *) "--log";
  argv[argc++] = log;
  argv[argc++] = (char *) "create";
  argv[argc++] = (char *) "--bundle";
  argv[argc++] = bundle;
  argv[argc++] = (char *) "t-side-effects";
  argv[argc] = NULL;
  changes = 0;
  ret = quietly (runtime_main, argc, argv);
  after = slurp (config, NULL);
  TAP_CHECK (ret == 1, "refused create (docker --privileged): runc's exit status 1 (%d)", ret);
  TAP_CHECK (changes == 0, "refused create: the AppArmor profile the later rule queued is not loaded (%u calls)",
             changes);
  TAP_CHECK (before && after && strcmp (before, after) == 0, "refused create: config.json is untouched");
}

/* The same evaluation with apply does reach the fake host. */
static void
test_positive_control (const struct host *h)
{
  cleanup_free char *path = NULL, *buf = NULL;
  struct policy *p = NULL;
  struct json_value *doc = NULL;
  struct findings f = { 0 };
  struct identity id = { "create", "c1", NULL, NULL, false, NULL };
  secshim_error_t err = NULL;
  bool refused = true;
  size_t len = 0;
  int ret;

  xasprintf (&path, "%s/policy/default.json", tmp);
  buf = xstrdup (minimal);
  len = strlen (buf);
  if (policy_load_file (path, &p, &err) < 0 || json_parse (buf, len, NULL, &doc, &err) < 0
      || spec_normalize (doc, SPEC_CONFIG, &err) < 0
      || policy_evaluate (p, doc, DOC_CONFIG, h, &id, &f, &refused, &err) < 0)
    {
      TAP_CHECK (0, "control: evaluate (%s)", err ? err->msg : "?");
      secshim_error_release (&err);
      goto out;
    }
  TAP_CHECK (!refused && f.n_steps == 1, "control: a minimal config is allowed with one queued host step (%zu)",
             f.n_steps);
  changes = 0;
  ret = policy_apply (&f, h, &err);
  TAP_CHECK (ret < 0 && changes == 1, "control: the apply step calls the host (%u) and its failure refuses", changes);
  secshim_error_release (&err);
out:
  findings_free (&f);
  json_free (doc);
  policy_free (p);
}

int
main (void)
{
  struct host h;
  cleanup_free char *cmd = NULL;

  host_fake_init (&h, true, true);
  h.apparmor_ensure = forbidden_ensure;
  if (mkdtemp (tmp) == NULL || copy_policy () < 0)
    {
      TAP_CHECK (0, "set up %s with a copy of policy/", tmp);
      return tap_done ();
    }
  policy_cache_set (false, tmp);
  host_set_current (&h);
  test_positive_control (&h);
  {
    cleanup_free char *ok_dir = NULL, *ok_rootfs = NULL, *ok_doc = NULL;
    xasprintf (&ok_dir, "%s/ok", tmp);
    xasprintf (&ok_rootfs, "%s/ok/rootfs", tmp);
    xasprintf (&ok_doc, "%s/ok/config.json", tmp);
    if (mkdir (ok_dir, 0700) < 0 || mkdir (ok_rootfs, 0755) < 0 || spit (ok_doc, minimal, strlen (minimal)) < 0)
      TAP_CHECK (0, "set up %s", ok_doc);
    else
      test_check (ok_doc, 0, "minimal config (allowed, rewritten, profile queued)");
  }
  test_check ("tests/fixtures/docker-20.10/privileged.config.json", 1, "docker --privileged (refused)");
  test_refused_create ();
  host_set_current (NULL);
  xasprintf (&cmd, "rm -rf %s", tmp);
  if (system (cmd) != 0)
    tap_diag ("could not remove %s", tmp);
  return tap_done ();
}
