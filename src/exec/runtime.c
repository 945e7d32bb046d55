/* Finding and executing the real runtime: see exec.h. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/exec.h"
#include "secshim/util.h"

static const char *const default_runtimes[] = { "/usr/bin/runc", "/usr/sbin/runc" };

static bool
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The first default runtime that exists and is not secshim itself. */
static const char *
find_default_runtime (const struct stat *self, bool have_self)
{
  struct stat st;
  size_t i;
  for (i = 0; i < sizeof default_runtimes / sizeof default_runtimes[0]; i++)
    if (stat (default_runtimes[i], &st) == 0 && !(have_self && same_file (&st, self)))
      return default_runtimes[i];
  return NULL;
}

int
runtime_resolve (const char *from_cli, const char *from_policy, char **out, secshim_error_t *err)
{
  const char *chosen = from_cli ? from_cli : from_policy;
  struct stat self, st;
  /* This runs on every runc call: stat ourselves once, each candidate once. */
  bool have_self = stat ("/proc/self/exe", &self) == 0;

  if (chosen == NULL)
    {
      /* Fixed absolute paths only: a $PATH lookup could find secshim itself
       * when it is installed as runc, or whatever the caller's PATH holds. */
      chosen = find_default_runtime (&self, have_self);
      if (chosen == NULL)
        return secshim_make_error (err, ENOENT,
                                   "no runtime found at /usr/bin/runc or /usr/sbin/runc (set \"runtime\" in "
                                   "the policy or --secshim-runtime)");
      *out = xstrdup (chosen);
      return 0;
    }
  if (chosen[0] != '/')
    return secshim_make_error (err, SECSHIM_ECONFIG, "runtime `%s` is not an absolute path", chosen);
  if (stat (chosen, &st) < 0)
    return secshim_make_error (err, errno, "runtime `%s`", chosen);
  if (have_self && same_file (&st, &self))
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
