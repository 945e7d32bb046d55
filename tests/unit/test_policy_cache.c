/* The validated-policy cache (src/policy/validated.c): a stamp after the
 * first complete validation, skipped validation for exactly the same bytes,
 * and full validation whenever a byte, the directory or the mode says so. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/policy/validated.h"
#include "../../src/rules/datafile.h"
#include "secshim/host.h"
#include "secshim/policy.h"
#include "secshim/util.h"
#include "tap.h"

static char tmpdir[] = "/tmp/secshim-vcache-XXXXXX";
static char cache_parent[64], cache[128], pol[128], profile[128], toml[128];
static char *profile_orig, *toml_orig;
static size_t profile_len, toml_len;

static char *
read_file (const char *path, size_t *len)
{
  char *buf = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read_all_fd (fd, 1 << 24, &buf, len) < 0)
    abort ();
  close (fd);
  return buf;
}

static void
write_file (const char *path, const char *buf, size_t len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all_fd (fd, buf, len) < 0)
    abort ();
  close (fd);
}

/* Stamps in the cache directory (names of 64 hex digits). */
static int
count_stamps (void)
{
  DIR *d = opendir (cache);
  struct dirent *e;
  int n = 0;
  if (d == NULL)
    return 0;
  while ((e = readdir (d)) != NULL)
    if (strlen (e->d_name) == 64 && strspn (e->d_name, "0123456789abcdef") == 64)
      n++;
  closedir (d);
  return n;
}

struct outcome
{
  int ok;        /* the load succeeded */
  bool skipped;  /* p->validation_skipped */
  unsigned runs; /* validate steps run by this load */
  char *message; /* the error, or NULL */
};

static struct outcome
load (void)
{
  struct outcome o = { 0 };
  struct policy *p = NULL;
  secshim_error_t err = NULL;
  unsigned before = policy_validate_runs ();

  o.ok = policy_load_file (pol, &p, &err) == 0;
  o.runs = policy_validate_runs () - before;
  if (o.ok)
    o.skipped = p->validation_skipped;
  else
    o.message = xstrdup (err->msg);
  secshim_error_release (&err);
  policy_free (p);
  return o;
}

static void
outcome_free (struct outcome *o)
{
  free (o->message);
}

/* The shipped profile with its first occurrence of `from` replaced (same
 * length). */
static void
write_profile_with (const char *from, const char *to)
{
  char *copy = xmalloc (profile_len + 1);
  char *at;
  memcpy (copy, profile_orig, profile_len);
  copy[profile_len] = '\0';
  at = strstr (copy, from);
  if (at == NULL || strlen (from) != strlen (to))
    abort ();
  memcpy (at, to, strlen (to));
  write_file (profile, copy, profile_len);
  free (copy);
}

static void
test_first_and_second_load (void)
{
  struct outcome a, b;
  struct stat st;

  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "first load validates in full (ok %d, skipped %d, runs %u%s%s)", a.ok,
             a.skipped, a.runs, a.message ? ": " : "", a.message ? a.message : "");
  TAP_CHECK (count_stamps () == 1, "first load records one stamp (%d)", count_stamps ());
  if (stat (cache, &st) < 0)
    memset (&st, 0, sizeof st);
  TAP_CHECK ((st.st_mode & 07777) == 0700 && st.st_uid == geteuid (), "the cache directory is created 0700, ours (%o)",
             (unsigned) (st.st_mode & 07777));
  b = load ();
  TAP_CHECK (b.ok && b.skipped && b.runs == 0, "second load of the same bytes skips validation (skipped %d, runs %u)",
             b.skipped, b.runs);
  outcome_free (&a);
  outcome_free (&b);
}

static void
test_full_mode (void)
{
  struct outcome a;
  policy_cache_set (true, cache);
  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "full mode (secshim check) validates despite the stamp (runs %u)",
             a.runs);
  policy_cache_set (false, cache);
  outcome_free (&a);
}

static void
test_buffer_never_cached (void)
{
  size_t len;
  char *buf = read_file (pol, &len);
  struct policy *p = NULL;
  secshim_error_t err = NULL;
  unsigned before = policy_validate_runs ();
  int stamps = count_stamps ();
  int ret = policy_load_buffer (buf, len, pol, &p, &err);

  TAP_CHECK (ret == 0 && !p->validation_skipped && policy_validate_runs () == before + 1 && count_stamps () == stamps,
             "policy_load_buffer validates in full and records nothing");
  secshim_error_release (&err);
  policy_free (p);
  free (buf);
}

static void
test_profile_byte_changes (void)
{
  struct outcome a, b, c;
  int stamps = count_stamps ();

  /* Still valid, one byte different: a new key. */
  write_profile_with ("\n", " ");
  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "one changed byte of the profile: full validation again (runs %u)",
             a.runs);
  TAP_CHECK (count_stamps () == stamps + 1, "and a stamp of its own (%d)", count_stamps ());

  /* A name libseccomp does not know, where a validated name was. */
  write_profile_with ("\"getpid\"", "\"getpiq\"");
  b = load ();
  TAP_CHECK (!b.ok && b.runs == 1 && b.message && strstr (b.message, "`getpiq` is not a syscall"),
             "an unknown syscall name in a changed profile is refused (%s)", b.message ? b.message : "loaded");
  c = load ();
  TAP_CHECK (!c.ok && c.runs == 1 && count_stamps () == stamps + 1,
             "a failed validation records no stamp: refused again at the next start");
  write_file (profile, profile_orig, profile_len);
  outcome_free (&a);
  outcome_free (&b);
  outcome_free (&c);
}

/* Past the timestamp granularity of the file system, so that the next write
 * gets a later ctime (the loader's settle window does this in production;
 * these tests set it to 0 to exercise the identity key on fresh files). */
static void
next_tick (void)
{
  struct timespec t = { 0, 20 * 1000 * 1000 };
  nanosleep (&t, NULL);
}

/* Rewrite the profile with the same size and put its old atime and mtime
 * back (`touch -d`): only the ctime tells the change. */
static bool
rewrite_keeping_size_and_mtime (const char *from, const char *to)
{
  struct stat before, after;
  struct timespec times[2];

  if (stat (profile, &before) < 0)
    abort ();
  next_tick ();
  write_profile_with (from, to);
  times[0] = before.st_atim;
  times[1] = before.st_mtim;
  if (utimensat (AT_FDCWD, profile, times, 0) < 0 || stat (profile, &after) < 0)
    abort ();
  return after.st_size == before.st_size && after.st_ino == before.st_ino
         && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec;
}

static void
restore_profile (void)
{
  next_tick ();
  write_file (profile, profile_orig, profile_len);
}

/* The profile is keyed by (dev, ino, size, mtime, ctime), not by a digest:
 * a write that keeps the size and restores the mtime must still miss. */
static void
test_same_size_mtime_restored (void)
{
  struct outcome a, b, c, d;

  restore_profile ();
  a = load ();
  b = load ();
  TAP_CHECK (a.ok && b.ok && b.skipped, "profile keyed by identity: stamped, then skipped (runs %u, %u)", a.runs,
             b.runs);
  TAP_CHECK (rewrite_keeping_size_and_mtime ("\n", " "), "same size, same inode, mtime put back");
  c = load ();
  TAP_CHECK (c.ok && !c.skipped && c.runs == 1, "only the ctime moved: full validation (skipped %d, runs %u)",
             c.skipped, c.runs);
  TAP_CHECK (rewrite_keeping_size_and_mtime ("\"getpid\"", "\"getpiq\""), "misspelt name, mtime put back");
  d = load ();
  TAP_CHECK (!d.ok && d.runs == 1 && d.message && strstr (d.message, "`getpiq` is not a syscall"),
             "a misspelt name behind an unchanged size and mtime is refused (%s)", d.message ? d.message : "loaded");
  restore_profile ();
  outcome_free (&a);
  outcome_free (&b);
  outcome_free (&c);
  outcome_free (&d);
}

/* A file written in the last seconds may share its ctime with the next
 * write (granularity): it is keyed by its bytes, not by identity. */
static void
test_fresh_file_keyed_by_bytes (void)
{
  struct outcome a, b, c;

  restore_profile ();
  data_file_set_settle_seconds (3600);
  a = load ();
  b = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1 && b.ok && b.skipped,
             "fresh profile: keyed by its digest, validated once, then skipped (runs %u, %u)", a.runs, b.runs);
  TAP_CHECK (rewrite_keeping_size_and_mtime ("\"getpid\"", "\"getpiq\""), "misspelt name, mtime put back");
  c = load ();
  TAP_CHECK (!c.ok && c.runs == 1, "and a changed byte is a new digest: refused (%s)",
             c.message ? c.message : "loaded");
  data_file_set_settle_seconds (0);
  restore_profile ();
  outcome_free (&a);
  outcome_free (&b);
  outcome_free (&c);
}

/* The stamp vouches for the identity the profile had when the policy was
 * loaded.  The profile is read only when a document needs it injected; if
 * it was written in between, those bytes are validated before use. */
static int
inject_once (struct policy *p, char **message)
{
  static const char config[] = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
                               "\"user\": {\"uid\": 0, \"gid\": 0}}, \"root\": {\"path\": \"rootfs\"}, \"linux\": {}}";
  struct json_value *doc = NULL;
  struct findings f = { 0 };
  struct identity id = { "create", "c", NULL, "/b" };
  struct host h;
  secshim_error_t err = NULL;
  bool refused = false;
  int ret;

  host_fake_init (&h, false, true);
  if (json_parse (config, strlen (config), NULL, &doc, &err) < 0)
    abort ();
  ret = policy_evaluate (p, doc, DOC_CONFIG, &h, &id, &f, &refused, &err);
  if (ret == 0 && json_get_path (doc, "linux.seccomp.defaultAction") == NULL)
    ret = 1;
  *message = ret < 0 ? xstrdup (err->msg) : NULL;
  secshim_error_release (&err);
  findings_free (&f);
  json_free (doc);
  return ret;
}

static void
test_profile_changed_after_load (void)
{
  struct policy *p = NULL, *q = NULL;
  secshim_error_t err = NULL;
  char *msg = NULL;
  int ret;

  restore_profile ();
  policy_load_file (pol, &q, &err); /* stamp the current identity */
  policy_free (q);
  secshim_error_release (&err);
  if (policy_load_file (pol, &p, &err) < 0 || !p->validation_skipped)
    {
      TAP_CHECK (false, "stamped policy loads with validation skipped");
      secshim_error_release (&err);
      policy_free (p);
      return;
    }
  TAP_CHECK (rewrite_keeping_size_and_mtime ("\"getpid\"", "\"getpiq\""), "profile rewritten after the load");
  ret = inject_once (p, &msg);
  TAP_CHECK (ret < 0 && msg && strstr (msg, "`getpiq` is not a syscall") && strstr (msg, profile),
             "injecting a profile written since the load validates it first: refused, naming it (%s)",
             msg ? msg : "injected");
  free (msg);
  msg = NULL;
  policy_free (p);

  restore_profile ();
  policy_load_file (pol, &q, &err);
  policy_free (q);
  secshim_error_release (&err);
  if (policy_load_file (pol, &p, &err) < 0)
    abort ();
  ret = inject_once (p, &msg);
  TAP_CHECK (p->validation_skipped && ret == 0, "unchanged since the stamp: injected without validation (%s)",
             msg ? msg : "ok");
  free (msg);
  policy_free (p);
}

static void
test_other_inputs_change (void)
{
  struct outcome a, b;
  size_t len;
  char *buf;

  buf = read_file (toml, &len);
  write_file (toml, "# changed\n", 10);
  {
    int fd = open (toml, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0 || write_all_fd (fd, toml_orig, toml_len) < 0)
      abort ();
    close (fd);
  }
  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "a changed AppArmor TOML: full validation again");
  write_file (toml, buf, len);
  free (buf);

  buf = read_file (pol, &len);
  {
    char *more = xmalloc (len + 1);
    memcpy (more, buf, len);
    more[len] = '\n';
    write_file (pol, more, len + 1);
    free (more);
  }
  b = load ();
  TAP_CHECK (b.ok && !b.skipped && b.runs == 1, "a changed policy file: full validation again");
  write_file (pol, buf, len);
  free (buf);
  outcome_free (&a);
  outcome_free (&b);
}

/* With the stamp of the original files present, an untrusted directory must
 * make the loader validate anyway, and record nothing there. */
static void
expect_ignored (const char *what)
{
  struct outcome a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "%s: cache ignored, full validation (skipped %d, runs %u)", what,
             a.skipped, a.runs);
  outcome_free (&a);
}

static void
test_untrusted_directory (void)
{
  struct outcome a;
  char moved[160];

  /* The data files are keyed by identity: restoring their bytes earlier
   * made new files of them.  Stamp them first. */
  a = load ();
  outcome_free (&a);
  a = load ();
  TAP_CHECK (a.ok && a.skipped, "current files: the stamp is used");
  outcome_free (&a);

  chmod (cache, 0770);
  expect_ignored ("group-writable cache directory");
  chmod (cache, 0702);
  expect_ignored ("other-writable cache directory");
  chmod (cache, 0700);
  chmod (cache_parent, 0777);
  expect_ignored ("world-writable parent directory");
  chmod (cache_parent, 0700);

  if (geteuid () == 0)
    {
      if (chown (cache, 65534, 65534) < 0)
        abort ();
      expect_ignored ("cache directory owned by another uid");
      if (chown (cache, 0, 0) < 0)
        abort ();
    }
  else
    TAP_SKIP ("chown to another uid needs root");

  /* A symlink in place of the directory is not followed. */
  snprintf (moved, sizeof moved, "%s.real", cache);
  if (rename (cache, moved) < 0 || symlink (moved, cache) < 0)
    abort ();
  expect_ignored ("cache directory is a symlink");
  if (unlink (cache) < 0 || rename (moved, cache) < 0)
    abort ();

  a = load ();
  TAP_CHECK (a.ok && a.skipped, "directory trusted again: the stamp is used");
  outcome_free (&a);
}

/* A stamp that is not a regular file of ours counts as absent. */
static void
test_stamp_must_be_a_file (void)
{
  DIR *d = opendir (cache);
  struct dirent *e;
  int dfd;
  struct outcome a;

  if (d == NULL)
    abort ();
  dfd = dirfd (d);
  while ((e = readdir (d)) != NULL)
    if (strlen (e->d_name) == 64)
      {
        if (unlinkat (dfd, e->d_name, 0) < 0 || symlinkat ("/etc/hostname", dfd, e->d_name) < 0)
          abort ();
      }
  closedir (d);
  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "symlinked stamps are not trusted (runs %u)", a.runs);
  outcome_free (&a);
}

static void
setup (void)
{
  const char *top = getenv ("SECSHIM_TOP") ? getenv ("SECSHIM_TOP") : ".";
  char path[512];
  static const char policy_text[] = "{\"version\": 1, \"rules\": {\n"
                                    "  \"apparmor\": {\"action\": \"rewrite\", \"source\": \"aa.toml\"},\n"
                                    "  \"seccomp\": {\"action\": \"rewrite\", \"profile\": \"seccomp.json\"}}}\n";

  if (mkdtemp (tmpdir) == NULL)
    abort ();
  snprintf (cache_parent, sizeof cache_parent, "%s/run", tmpdir);
  snprintf (cache, sizeof cache, "%s/validated", cache_parent);
  snprintf (pol, sizeof pol, "%s/policy.json", tmpdir);
  snprintf (profile, sizeof profile, "%s/seccomp.json", tmpdir);
  snprintf (toml, sizeof toml, "%s/aa.toml", tmpdir);
  snprintf (path, sizeof path, "%s/policy/seccomp/default.json", top);
  profile_orig = read_file (path, &profile_len);
  snprintf (path, sizeof path, "%s/policy/apparmor/default.toml", top);
  toml_orig = read_file (path, &toml_len);
  write_file (pol, policy_text, strlen (policy_text));
  write_file (profile, profile_orig, profile_len);
  write_file (toml, toml_orig, toml_len);
  policy_cache_set (false, cache);
  data_file_set_settle_seconds (0);
}

int
main (void)
{
  char cmd[300];
  setup ();
  test_first_and_second_load ();
  test_full_mode ();
  test_buffer_never_cached ();
  test_profile_byte_changes ();
  test_same_size_mtime_restored ();
  test_fresh_file_keyed_by_bytes ();
  test_profile_changed_after_load ();
  test_other_inputs_change ();
  test_untrusted_directory ();
  test_stamp_must_be_a_file ();
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    tap_diag ("could not remove %s", tmpdir);
  free (profile_orig);
  free (toml_orig);
  return tap_done ();
}
