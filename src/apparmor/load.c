/* Loading generated profiles into the kernel, once (see apparmor.h).
 *
 * Layout of the cache directory (root-owned, 0700):
 *   .lock            flock'ed by whoever loads
 *   NAME             the profile text last loaded (what apparmor_parser read)
 *   NAME.sha256      sha256 of that text, written after the parser succeeded
 *   binary/          apparmor_parser's compiled cache (-L, -W)
 *
 * The fast path (profile listed by the kernel and stamp equal to the text's
 * hash) takes no lock and forks nothing: two small reads and a hash.  The
 * stamp outlives reboots, but the kernel's list does not, so after a reboot
 * the name check fails and the profile is loaded again. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/sha256.h"
#include "secshim/util.h"

#ifndef SECSHIM_APPARMOR_CACHE
#define SECSHIM_APPARMOR_CACHE "/var/cache/secshim/apparmor"
#endif

const struct aa_loader aa_loader_default = {
  .parser = "/sbin/apparmor_parser",
  .cache_dir = SECSHIM_APPARMOR_CACHE,
  .profiles_file = "/sys/kernel/security/apparmor/profiles",
};

/* The kernel's list: one "NAME (MODE)\n" line per profile. */
#define MAX_PROFILES_LIST ((size_t) 64 * 1024 * 1024)

int
aa_profile_is_loaded (const struct aa_loader *l, const char *name, bool *loaded, secshim_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, n = strlen (name);
  const char *p, *end;
  int r;

  *loaded = false;
  r = file_read_at (AT_FDCWD, l->profiles_file, 0, 0, MAX_PROFILES_LIST, &buf, &len, NULL);
  if (r < 0)
    return secshim_make_error (err, -r, "read `%s`", l->profiles_file);
  for (p = buf, end = buf + len; p < end;)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      size_t line_len = nl ? (size_t) (nl - p) : (size_t) (end - p);
      if (line_len > n + 1 && memcmp (p, name, n) == 0 && p[n] == ' ' && p[n + 1] == '(')
        {
          *loaded = true;
          return 0;
        }
      p += line_len + 1;
    }
  return 0;
}

/* true when dir/NAME.sha256 holds exactly hex. */
static bool
stamp_matches (const char *dir, const char *name, const char *hex)
{
  cleanup_free char *path = NULL, *buf = NULL;
  size_t n = 0;

  xasprintf (&path, "%s/%s.sha256", dir, name);
  if (file_read_at (AT_FDCWD, path, O_NOFOLLOW, FILE_REGULAR, 80, &buf, &n, NULL) < 0)
    return false;
  return n == 65 && memcmp (buf, hex, 64) == 0 && buf[64] == '\n';
}

static int
already_loaded (const struct aa_loader *l, const char *name, const char *hex, bool *yes, secshim_error_t *err)
{
  bool listed;
  *yes = false;
  if (!stamp_matches (l->cache_dir, name, hex))
    return 0;
  if (aa_profile_is_loaded (l, name, &listed, err) < 0)
    return -1;
  *yes = listed;
  return 0;
}

/* mkdir -p for the cache directory (0700: the stamps decide what is loaded). */
static int
make_dirs (const char *path, secshim_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  char *p;
  for (p = copy + 1;; p++)
    {
      if (*p != '/' && *p != '\0')
        continue;
      {
        char saved = *p;
        *p = '\0';
        if (mkdir (copy, 0700) < 0 && errno != EEXIST)
          return secshim_make_error (err, errno, "mkdir `%s`", copy);
        *p = saved;
      }
      if (*p == '\0')
        break;
    }
  return 0;
}

/* Write dir/file atomically: a temporary file, fsync, rename. */
static int
write_file_atomic (const char *dir, const char *file, const char *data, size_t len, secshim_error_t *err)
{
  cleanup_free char *path = NULL, *tmp = NULL;
  cleanup_close int fd = -1;

  xasprintf (&path, "%s/%s", dir, file);
  xasprintf (&tmp, "%s/.%s.%ld.tmp", dir, file, (long) getpid ());
  (void) unlink (tmp);
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return secshim_make_error (err, errno, "create `%s`", tmp);
  if (write_all_fd (fd, data, len) < 0 || fsync (fd) < 0)
    {
      int saved = errno;
      (void) unlink (tmp);
      return secshim_make_error (err, saved, "write `%s`", tmp);
    }
  if (rename (tmp, path) < 0)
    {
      int saved = errno;
      (void) unlink (tmp);
      return secshim_make_error (err, saved, "rename `%s` to `%s`", tmp, path);
    }
  return 0;
}

/* Keep the last line of the parser's stderr for the error message. */
static void
last_line (char *s)
{
  size_t n = strlen (s);
  char *nl;
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
    s[--n] = '\0';
  nl = strrchr (s, '\n');
  if (nl)
    memmove (s, nl + 1, strlen (nl + 1) + 1);
}

/* fork + execve the parser with a fixed path and a clean environment; its
 * stdout goes to /dev/null (secshim never writes to stdout in runtime mode,
 * and neither may its children), its stderr to a pipe for the message. */
static int
run_parser (const struct aa_loader *l, const char *profile_path, secshim_error_t *err)
{
  cleanup_free char *cache = NULL;
  char errbuf[4096];
  size_t errlen = 0;
  int pipefd[2], status;
  pid_t pid;

  xasprintf (&cache, "%s/binary", l->cache_dir);
  {
    char *const argv[] = { (char *) l->parser,
                           (char *) "--replace",
                           (char *) "--write-cache",
                           (char *) "--cache-loc",
                           cache,
                           (char *) "--abort-on-error",
                           (char *) profile_path,
                           NULL };
    char *const envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *) "LC_ALL=C", NULL };

    if (pipe2 (pipefd, O_CLOEXEC) < 0)
      return secshim_make_error (err, errno, "pipe");
    pid = fork ();
    if (pid < 0)
      {
        int saved = errno;
        close (pipefd[0]);
        close (pipefd[1]);
        return secshim_make_error (err, saved, "fork");
      }
    if (pid == 0)
      {
        int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0 || dup2 (devnull, 0) < 0 || dup2 (devnull, 1) < 0 || dup2 (pipefd[1], 2) < 0)
          _exit (127);
        signal (SIGPIPE, SIG_DFL);
        execve (l->parser, argv, envp);
        _exit (127);
      }
  }
  close (pipefd[1]);
  for (;;)
    {
      ssize_t n = read (pipefd[0], errbuf + errlen, sizeof errbuf - 1 - errlen);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      errlen += (size_t) n;
      if (errlen == sizeof errbuf - 1)
        {
          char drain[512]; /* keep reading so the child never blocks on a full pipe */
          ssize_t d;
          do
            d = read (pipefd[0], drain, sizeof drain);
          while (d > 0 || (d < 0 && errno == EINTR));
          break;
        }
    }
  close (pipefd[0]);
  errbuf[errlen] = '\0';
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return secshim_make_error (err, errno, "waitpid `%s`", l->parser);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  last_line (errbuf);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && errlen == 0)
    return secshim_make_error (err, SECSHIM_EINPUT, "cannot run `%s`", l->parser);
  return secshim_make_error (err, SECSHIM_EINPUT, "`%s` failed (%s %d)%s%s", l->parser,
                             WIFEXITED (status) ? "exit status" : "signal",
                             WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status), errlen ? ": " : "", errbuf);
}

int
aa_ensure_loaded (const struct aa_loader *l, const char *name, const char *text, size_t len, bool *ran_parser,
                  secshim_error_t *err)
{
  cleanup_free char *lock_path = NULL, *profile_path = NULL, *stamp = NULL, *stamp_name = NULL;
  cleanup_close int lock_fd = -1;
  char hex[65];
  bool yes;

  if (ran_parser)
    *ran_parser = false;
  if (!aa_profile_name_valid (name))
    return secshim_make_error (err, SECSHIM_EINPUT, "AppArmor profile name `%s` is not valid", name);
  /* Without it apparmor_parser fails with words about "AppArmor 2.4
   * compatibility patches" and --subdomainfs; say what is wrong instead,
   * before the cache directory is touched. */
  if (access (l->profiles_file, F_OK) < 0)
    return secshim_make_error (err, SECSHIM_EINPUT,
                               "cannot load AppArmor profile `%s`: the kernel has no AppArmor enabled (no `%s`; "
                               "booted with apparmor=0, not in lsm=, or securityfs not mounted). Boot with "
                               "apparmor=1 security=apparmor, or let the policy's Landlock fallback confine containers",
                               name, l->profiles_file);
  sha256_hex (text, len, hex);
  if (already_loaded (l, name, hex, &yes, err) < 0)
    return -1;
  if (yes)
    return 0;

  if (make_dirs (l->cache_dir, err) < 0)
    return -1;
  xasprintf (&lock_path, "%s/.lock", l->cache_dir);
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (lock_fd < 0)
    return secshim_make_error (err, errno, "open `%s`", lock_path);
  while (flock (lock_fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return secshim_make_error (err, errno, "lock `%s`", lock_path);

  /* Whoever held the lock before us may have loaded this very text. */
  if (already_loaded (l, name, hex, &yes, err) < 0)
    return -1;
  if (yes)
    return 0;

  if (write_file_atomic (l->cache_dir, name, text, len, err) < 0)
    return -1;
  xasprintf (&profile_path, "%s/%s", l->cache_dir, name);
  if (ran_parser)
    *ran_parser = true;
  if (run_parser (l, profile_path, err) < 0)
    return secshim_error_wrap (err, "loading AppArmor profile `%s`", name);
  xasprintf (&stamp, "%s\n", hex);
  xasprintf (&stamp_name, "%s.sha256", name);
  return write_file_atomic (l->cache_dir, stamp_name, stamp, 65, err);
}
