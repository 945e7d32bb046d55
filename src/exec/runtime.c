/* Finding and executing the real runtime: see exec.h. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/exec.h"
#include "secshim/util.h"

static const char *const default_runtimes[] = { "/usr/bin/runc", "/usr/sbin/runc" };

static bool
is_myself (const struct stat *st)
{
  struct stat self;
  return stat ("/proc/self/exe", &self) == 0 && self.st_dev == st->st_dev && self.st_ino == st->st_ino;
}

int
runtime_resolve (const char *from_cli, const char *from_policy, char **out, secshim_error_t *err)
{
  const char *chosen = from_cli ? from_cli : from_policy;
  struct stat st;
  size_t i;

  if (chosen == NULL)
    {
      /* Fixed absolute paths only: a $PATH lookup could find secshim itself
       * when it is installed as runc, or whatever the caller's PATH holds. */
      for (i = 0; i < sizeof default_runtimes / sizeof default_runtimes[0]; i++)
        if (stat (default_runtimes[i], &st) == 0 && !is_myself (&st))
          {
            chosen = default_runtimes[i];
            break;
          }
      if (chosen == NULL)
        return secshim_make_error (err, ENOENT,
                                   "no runtime found at /usr/bin/runc or /usr/sbin/runc (set \"runtime\" in "
                                   "the policy or --secshim-runtime)");
    }
  if (chosen[0] != '/')
    return secshim_make_error (err, SECSHIM_ECONFIG, "runtime `%s` is not an absolute path", chosen);
  if (stat (chosen, &st) < 0)
    return secshim_make_error (err, errno, "runtime `%s`", chosen);
  if (is_myself (&st))
    return secshim_make_error (
        err, SECSHIM_ECONFIG, "runtime `%s` is secshim itself: set \"runtime\" in the policy to the real runc", chosen);
  *out = xstrdup (chosen);
  return 0;
}

int
runtime_exec (const char *path, char *const argv[], secshim_error_t *err)
{
  /* Every fd secshim opened is O_CLOEXEC; the caller's fds (stdio,
   * --preserve-fds, LISTEN_FDS, sync pipes) pass through untouched. */
  execv (path, argv);
  return secshim_make_error (err, errno, "exec `%s`", path);
}
