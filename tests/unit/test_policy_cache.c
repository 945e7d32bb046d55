/* The compiled policy (src/policy/compiled.c): an entry after the first
 * complete load, restored for exactly the same bytes, and a full load
 * whenever a byte of any input, the directory, the entry's owner or mode,
 * or the entry's own bytes say so. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/policy/compiled.h"
#include "secshim/host.h"
#include "secshim/hosts.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/util.h"
#include "tap.h"

static char tmpdir[] = "/tmp/secshim-ccache-XXXXXX";
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

static bool
is_entry_name (const char *name)
{
  return strlen (name) == 32 && strspn (name, "0123456789abcdef") == 32;
}

/* Entries in the cache directory (names of 32 hex digits). */
static int
count_stamps (void)
{
  DIR *d = opendir (cache);
  struct dirent *e;
  int n = 0;
  if (d == NULL)
    return 0;
  while ((e = readdir (d)) != NULL)
    if (is_entry_name (e->d_name))
      n++;
  closedir (d);
  return n;
}

static void
clear_entries (void)
{
  DIR *d = opendir (cache);
  struct dirent *e;
  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL)
    if (is_entry_name (e->d_name))
      unlinkat (dirfd (d), e->d_name, 0);
  closedir (d);
}

/* The path of the only entry (the policy's), or "" when there is none. */
static const char *
entry_path (void)
{
  static char path[512];
  DIR *d = opendir (cache);
  struct dirent *e;
  path[0] = '\0';
  if (d == NULL)
    return path;
  while ((e = readdir (d)) != NULL)
    if (is_entry_name (e->d_name))
      snprintf (path, sizeof path, "%s/%s", cache, e->d_name);
  closedir (d);
  return path;
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
  TAP_CHECK (count_stamps () == 1, "first load records one entry (%d)", count_stamps ());
  if (stat (cache, &st) < 0)
    memset (&st, 0, sizeof st);
  TAP_CHECK ((st.st_mode & 07777) == 0700 && st.st_uid == geteuid (), "the cache directory is created 0700, ours (%o)",
             (unsigned) (st.st_mode & 07777));
  if (stat (entry_path (), &st) < 0)
    memset (&st, 0, sizeof st);
  TAP_CHECK (S_ISREG (st.st_mode) && (st.st_mode & 077) == 0 && st.st_uid == geteuid (),
             "the entry is a regular file of ours that no one else can read or write (%o)",
             (unsigned) (st.st_mode & 07777));
  b = load ();
  TAP_CHECK (b.ok && b.skipped && b.runs == 0, "second load of the same bytes is restored (skipped %d, runs %u)",
             b.skipped, b.runs);
  outcome_free (&a);
  outcome_free (&b);
}

static void
test_full_mode (void)
{
  struct outcome a;
  size_t len_before, len_after;
  char *before = read_file (entry_path (), &len_before), *after;

  write_profile_with ("\n", " "); /* what check loads differs from the entry */
  policy_cache_set (true, cache);
  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "full mode (secshim check) loads and validates in full (runs %u)",
             a.runs);
  policy_cache_set (false, cache);
  after = read_file (entry_path (), &len_after);
  TAP_CHECK (count_stamps () == 1 && len_before == len_after && memcmp (before, after, len_after) == 0,
             "full mode leaves the entry as it was");
  write_file (profile, profile_orig, profile_len);
  free (before);
  free (after);
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

/* The data files are keyed by their bytes: an entry made from other bytes
 * is replaced (same policy, same name), never used. */
static void
test_profile_byte_changes (void)
{
  struct outcome a, b, c, d, e;

  /* Still valid, one byte different. */
  write_profile_with ("\n", " ");
  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "one changed byte of the profile: full validation again (runs %u)",
             a.runs);
  TAP_CHECK (count_stamps () == 1, "and the policy's entry is replaced, not added (%d)", count_stamps ());
  b = load ();
  TAP_CHECK (b.ok && b.skipped, "then restored");

  /* A name libseccomp does not know, where a validated name was. */
  write_profile_with ("\"getpid\"", "\"getpiq\"");
  c = load ();
  TAP_CHECK (!c.ok && c.runs == 1 && c.message && strstr (c.message, "`getpiq` is not a syscall"),
             "an unknown syscall name in a changed profile is refused (%s)", c.message ? c.message : "loaded");
  d = load ();
  TAP_CHECK (!d.ok && d.runs == 1, "a failed validation records nothing: refused again at the next start");
  write_file (profile, profile_orig, profile_len);
  e = load ();
  TAP_CHECK (e.ok && !e.skipped && e.runs == 1, "the original bytes again: loaded in full (the entry was replaced)");
  outcome_free (&a);
  outcome_free (&b);
  outcome_free (&c);
  outcome_free (&d);
  outcome_free (&e);
}

/* Rewrite the profile with the same size and put its old atime and mtime
 * back (`touch -d`), at once after a load: no timestamp tells the change. */
static bool
rewrite_keeping_size_and_mtime (const char *from, const char *to)
{
  struct stat before, after;
  struct timespec times[2];

  if (stat (profile, &before) < 0)
    abort ();
  write_profile_with (from, to);
  times[0] = before.st_atim;
  times[1] = before.st_mtim;
  if (utimensat (AT_FDCWD, profile, times, 0) < 0 || stat (profile, &after) < 0)
    abort ();
  return after.st_size == before.st_size && after.st_ino == before.st_ino
         && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec;
}

/* No settle window: an edit right after a load is seen by the next one. */
static void
test_edit_picked_up_at_once (void)
{
  struct outcome a, b, c, d;

  write_file (profile, profile_orig, profile_len);
  a = load ();
  b = load ();
  TAP_CHECK (a.ok && b.ok && b.skipped, "fresh profile: loaded once in full, then restored (runs %u, %u)", a.runs,
             b.runs);
  TAP_CHECK (rewrite_keeping_size_and_mtime ("\n", " "), "same size, same inode, mtime put back, no pause");
  c = load ();
  TAP_CHECK (c.ok && !c.skipped && c.runs == 1, "the changed bytes are loaded in full at once (skipped %d, runs %u)",
             c.skipped, c.runs);
  TAP_CHECK (rewrite_keeping_size_and_mtime ("\"getpid\"", "\"getpiq\""), "misspelt name, mtime put back");
  d = load ();
  TAP_CHECK (!d.ok && d.runs == 1 && d.message && strstr (d.message, "`getpiq` is not a syscall"),
             "a misspelt name behind an unchanged size and mtime is refused at once (%s)",
             d.message ? d.message : "loaded");
  write_file (profile, profile_orig, profile_len);
  outcome_free (&a);
  outcome_free (&b);
  outcome_free (&c);
  outcome_free (&d);
}

/* Injecting needs the policy's profile; a document without seccomp gets
 * it.  *injected: whether the injected profile allows getpid by that name. */
static int
inject_once (struct policy *p, char **message, bool *getpid_named)
{
  static const char config[] = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
                               "\"user\": {\"uid\": 0, \"gid\": 0}}, \"root\": {\"path\": \"rootfs\"}, \"linux\": {}}";
  struct json_value *doc = NULL;
  struct findings f = { 0 };
  struct identity id = { "create", "c", NULL, "/b" };
  struct host h;
  secshim_error_t err = NULL;
  bool refused = false;
  char *text = NULL;
  size_t len = 0;
  int ret;

  host_fake_init (&h, false, true);
  if (json_parse (config, strlen (config), NULL, &doc, &err) < 0)
    abort ();
  ret = policy_evaluate (p, doc, DOC_CONFIG, &h, &id, &f, &refused, &err);
  if (ret == 0 && json_get_path (doc, "linux.seccomp.defaultAction") == NULL)
    ret = 1;
  *message = ret < 0 ? xstrdup (err->msg) : NULL;
  *getpid_named = false;
  if (ret == 0 && json_write (json_get_path (doc, "linux.seccomp"), &text, &len, NULL) == 0)
    *getpid_named = strstr (text, "\"getpid\"") != NULL;
  free (text);
  secshim_error_release (&err);
  findings_free (&f);
  json_free (doc);
  return ret;
}

/* The profile is read when the policy loads; those bytes, validated when
 * the entry was made, are what a later injection uses, whatever happened
 * to the file since. */
static void
test_profile_changed_after_load (void)
{
  struct policy *p = NULL, *q = NULL;
  secshim_error_t err = NULL;
  struct outcome o;
  char *msg = NULL;
  bool getpid_named = false;
  int ret;

  write_file (profile, profile_orig, profile_len);
  policy_load_file (pol, &q, &err); /* make the entry */
  policy_free (q);
  secshim_error_release (&err);
  if (policy_load_file (pol, &p, &err) < 0 || !p->validation_skipped)
    {
      TAP_CHECK (false, "the policy is restored from its entry");
      secshim_error_release (&err);
      policy_free (p);
      return;
    }
  write_profile_with ("\"getpid\"", "\"getpiq\"");
  ret = inject_once (p, &msg, &getpid_named);
  TAP_CHECK (ret == 0 && getpid_named, "injection uses the bytes read at load, not the file written since (%s)",
             msg ? msg : "ok");
  free (msg);
  policy_free (p);
  o = load ();
  TAP_CHECK (!o.ok && o.message && strstr (o.message, "`getpiq` is not a syscall"),
             "and the next load refuses the written bytes (%s)", o.message ? o.message : "loaded");
  outcome_free (&o);
  write_file (profile, profile_orig, profile_len);
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

/* With an entry for the current files present, an untrusted directory must
 * make the loader load in full anyway, and record nothing there. */
static void
expect_ignored (const char *what)
{
  struct outcome a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "%s: cache ignored, full load (skipped %d, runs %u)", what, a.skipped,
             a.runs);
  outcome_free (&a);
}

/* Load until the entry of the current files is there. */
static void
settle_entry (void)
{
  struct outcome a = load ();
  outcome_free (&a);
}

static void
test_untrusted_directory (void)
{
  struct outcome a;
  char moved[160];

  settle_entry ();
  a = load ();
  TAP_CHECK (a.ok && a.skipped, "current files: the entry is used");
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
  TAP_CHECK (a.ok && a.skipped, "directory trusted again: the entry is used");
  outcome_free (&a);
}

/* Replace the entry with len bytes of buf, keeping its name and mode. */
static void
put_entry (const char *path, const char *buf, size_t len)
{
  int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0 || write_all_fd (fd, buf, len) < 0)
    abort ();
  close (fd);
}

/* A bad entry is ignored: a full load, which writes a good one again. */
static void
expect_bad_entry_ignored (const char *what)
{
  struct outcome a = load (), b = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1 && b.ok && b.skipped,
             "%s: ignored, loaded in full, and replaced (runs %u; then skipped %d)", what, a.runs, b.skipped);
  outcome_free (&a);
  outcome_free (&b);
}

static void
test_bad_entries (void)
{
  char path[512], *good, *bad;
  size_t len, i, ignored = 0, tried = 0;
  bool all_ok = true;

  clear_entries ();
  settle_entry ();
  snprintf (path, sizeof path, "%s", entry_path ());
  good = read_file (path, &len);
  bad = xmalloc (len);

  memcpy (bad, good, len);
  bad[len / 2] ^= 0x20;
  put_entry (path, bad, len);
  expect_bad_entry_ignored ("one flipped byte (checksum fails)");
  put_entry (path, good, len / 2);
  expect_bad_entry_ignored ("truncated entry");
  put_entry (path, "", 0);
  expect_bad_entry_ignored ("empty entry");
  put_entry (path, good, len - 1);
  expect_bad_entry_ignored ("one byte short");

  /* A body that fails to decode behind a checksum that matches: a short
   * body, and every 7th byte set to 0xff in turn (lengths, counts, bools,
   * enums, strings).  The load must always succeed (ASan checks the rest
   * in the asan suite); a 0xff inside a string decodes, the others are
   * ignored. */
  for (i = 0; i + 16 < len; i += 7)
    {
      struct outcome o;
      memcpy (bad, good, len - 16);
      bad[i] = (char) 0xff;
      pack_digest (bad, len - 16, (uint8_t *) bad + len - 16);
      put_entry (path, bad, len);
      o = load ();
      all_ok = all_ok && o.ok;
      ignored += !o.skipped;
      tried++;
      outcome_free (&o);
      put_entry (path, good, len);
    }
  TAP_CHECK (all_ok && ignored > tried / 4,
             "%zu entries damaged behind a good checksum: every load succeeds, %zu ignored", tried, ignored);
  memcpy (bad, good, len / 2);
  pack_digest (bad, len / 2 - 16, (uint8_t *) bad + len / 2 - 16);
  put_entry (path, bad, len / 2);
  expect_bad_entry_ignored ("a short body with a matching checksum");

  put_entry (path, good, len);
  chmod (path, 0620);
  expect_bad_entry_ignored ("group-writable entry");
  if (geteuid () == 0)
    {
      settle_entry ();
      if (chown (path, 65534, 65534) < 0)
        abort ();
      expect_bad_entry_ignored ("entry owned by another uid");
    }
  else
    TAP_SKIP ("chown to another uid needs root");
  free (good);
  free (bad);
}

/* An entry that is not a regular file of ours counts as absent. */
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
    if (is_entry_name (e->d_name))
      {
        if (unlinkat (dfd, e->d_name, 0) < 0 || symlinkat ("/etc/hostname", dfd, e->d_name) < 0)
          abort ();
      }
  closedir (d);
  a = load ();
  TAP_CHECK (a.ok && !a.skipped && a.runs == 1, "symlinked entries are not trusted (runs %u)", a.runs);
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
  snprintf (cache, sizeof cache, "%s/compiled", cache_parent);
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
  test_edit_picked_up_at_once ();
  test_profile_changed_after_load ();
  test_other_inputs_change ();
  test_untrusted_directory ();
  test_bad_entries ();
  test_stamp_must_be_a_file ();
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    tap_diag ("could not remove %s", tmpdir);
  free (profile_orig);
  free (toml_orig);
  return tap_done ();
}
