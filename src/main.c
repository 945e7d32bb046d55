/* secshim: an OCI runtime wrapper that enforces a container security policy.
 *
 * Called by an engine in place of runc, it is in runtime mode (runtime.c).
 * Called by a person with one of its own verbs, it does that instead; none
 * of these names is a runc verb, so an engine can never reach them.  The
 * version and help flags alone on the command line are secshim's too:
 * engines ask `RUNTIME --version` (dockerd's `docker info`), and get
 * secshim's line followed by runc's own lines, unchanged. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secshim/apparmor.h"
#include "secshim/runtime.h"

static const char help_text[]
    = "secshim " SECSHIM_VERSION ": an OCI runtime wrapper that enforces a container security policy\n"
      "\n"
      "As a runtime (what engines call): secshim [RUNC-GLOBAL-OPTIONS] [--secshim-policy=FILE]\n"
      "    [--secshim-runtime=PATH] RUNC-VERB [ARGS...]; create, run, restore and exec are checked,\n"
      "    every other runc verb passes through unchanged.\n"
      "\n"
      "Commands:\n"
      "  check [--policy FILE] FILE     evaluate a config.json or process.json offline (--help for more)\n"
      "  explain [--log FILE] CONTAINER what secshim refused or rewrote for a container, and why\n"
      "  apparmor generate|load FILE    the AppArmor profile of a bane TOML file\n"
      "  install [ENGINES] [--dry-run]  register secshim with docker, containerd, CRI-O, podman\n"
      "  uninstall [ENGINES]            take it out again\n"
      "  doctor                         check this host's set-up\n"
      "  version, --version             secshim's version, then the real runc's\n"
      "  help, --help                   this text\n"
      "\n"
      "See man secshim(1); every policy key: /usr/share/doc/secshim or docs/policy.md.\n";

/* The admin script: installed in SECSHIM_LIBEXECDIR, or beside the build
 * tree's binary (build/secshim or build/asan/secshim -> hack/secshim-admin)
 * so that `doctor` and `install --dry-run` work before `make install`.  The
 * fallback is taken only when the installed script does not exist. */
static const char *
admin_path (const char *self, char *buf, size_t size)
{
  static const char installed[] = SECSHIM_LIBEXECDIR "/secshim-admin";
  static const char *const from_build[] = { "/../hack/secshim-admin", "/../../hack/secshim-admin" };
  const char *slash = strrchr (self, '/');
  if (access (installed, X_OK) == 0 || slash == NULL)
    return installed;
  for (size_t i = 0; i < sizeof from_build / sizeof from_build[0]; i++)
    if ((size_t) snprintf (buf, size, "%.*s%s", (int) (slash - self), self, from_build[i]) < size
        && access (buf, X_OK) == 0)
      return buf;
  return installed;
}

/* install, uninstall and doctor edit engine configuration files: a shell
 * script (hack/secshim-admin) does that better than C, and it is not on the
 * container start path. */
static int
admin_main (char **argv)
{
  char self[PATH_MAX], buf[PATH_MAX + 32];
  const char *admin;
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  self[n > 0 ? n : 0] = '\0';
  if (n > 0)
    (void) setenv ("SECSHIM_BIN", self, 1);
  admin = admin_path (self, buf, sizeof buf);
  argv[-1] = (char *) admin;
  execv (admin, argv - 1);
  fprintf (stderr, "secshim: cannot run %s: %m\n", admin);
  return 2;
}

static bool
is_one_of (const char *arg, const char *a, const char *b, const char *c)
{
  return strcmp (arg, a) == 0 || strcmp (arg, b) == 0 || (c && strcmp (arg, c) == 0);
}

/* secshim's line, then runc's --version output: dockerd's parser takes the
 * last line naming a version, which stays runc's. */
static int
version_main (char *argv0)
{
  char *runc_argv[] = { argv0, (char *) "--version", NULL };
  printf ("secshim version %s\n", SECSHIM_VERSION);
  if (fflush (stdout) != 0)
    return 1;
  return runtime_main (2, runc_argv);
}

int
main (int argc, char **argv)
{
  if (argc == 2 && is_one_of (argv[1], "--help", "-h", "help"))
    return fputs (help_text, stdout) < 0;
  if (argc == 2 && is_one_of (argv[1], "--version", "-v", "version"))
    return version_main (argv[0]);
  if (argc >= 2)
    {
      const char *verb = argv[1];
      if (strcmp (verb, "check") == 0)
        return check_main (argc - 1, argv + 1);
      if (strcmp (verb, "explain") == 0)
        return explain_main (argc - 1, argv + 1);
      if (strcmp (verb, "apparmor") == 0)
        return apparmor_cli_main (argc - 1, argv + 1);
      if (strcmp (verb, "install") == 0 || strcmp (verb, "uninstall") == 0 || strcmp (verb, "doctor") == 0)
        return admin_main (argv + 1);
    }
  return runtime_main (argc, argv);
}
