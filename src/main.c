/* secshim: an OCI runtime wrapper that enforces a container security policy.
 *
 * Called by an engine in place of runc, it is in runtime mode (runtime.c).
 * Called by a person with one of its own verbs, it does that instead; none
 * of these names is a runc verb, so an engine can never reach them. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secshim/apparmor.h"
#include "secshim/runtime.h"

/* install, uninstall and doctor edit engine configuration files: a shell
 * script (hack/secshim-admin) does that better than C, and it is not on the
 * container start path. */
static int
admin_main (char **argv)
{
  static const char admin[] = SECSHIM_LIBEXECDIR "/secshim-admin";
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0)
    {
      self[n] = '\0';
      (void) setenv ("SECSHIM_BIN", self, 1);
    }
  argv[-1] = (char *) admin;
  execv (admin, argv - 1);
  fprintf (stderr, "secshim: cannot run %s: %m\n", admin);
  return 2;
}

int
main (int argc, char **argv)
{
  if (argc >= 2)
    {
      const char *verb = argv[1];
      if (strcmp (verb, "check") == 0)
        return check_main (argc - 1, argv + 1);
      if (strcmp (verb, "apparmor") == 0)
        return apparmor_cli_main (argc - 1, argv + 1);
      if (strcmp (verb, "install") == 0 || strcmp (verb, "uninstall") == 0 || strcmp (verb, "doctor") == 0)
        return admin_main (argv + 1);
    }
  return runtime_main (argc, argv);
}
