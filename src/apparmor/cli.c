/* `secshim apparmor ...`: an administrator's tool, not runtime mode, so it
 * may print to stdout.
 *
 *   secshim apparmor generate FILE   print the profile for a bane TOML file
 *   secshim apparmor load FILE       generate and load it (once; see load.c)
 *
 * Exit status: 0 done, 1 loading failed, 2 bad usage or bad input. */
#include <stdio.h>
#include <string.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

static int
usage (FILE *f)
{
  fputs ("usage: secshim apparmor generate FILE.toml   print the AppArmor profile for a bane file\n"
         "       secshim apparmor load FILE.toml       generate it and load it unless already loaded\n",
         f);
  return 2;
}

static int
report_error (secshim_error_t *err)
{
  fprintf (stderr, "secshim apparmor: %s\n", (*err)->msg);
  secshim_error_release (err);
  return 2;
}

int
apparmor_cli_main (int argc, char **argv)
{
  secshim_error_t err = NULL;
  struct aa_spec spec = { 0 };
  cleanup_free char *text = NULL;
  size_t len = 0;
  bool load, ran = false;
  int ret;

  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      usage (stdout);
      return 0;
    }
  if (argc != 3 || (strcmp (argv[1], "generate") != 0 && strcmp (argv[1], "load") != 0))
    return usage (stderr);
  load = strcmp (argv[1], "load") == 0;

  if (aa_spec_from_toml_file (argv[2], &spec, &err) < 0 || aa_generate (&spec, &text, &len, &err) < 0)
    {
      aa_spec_free (&spec);
      return report_error (&err);
    }
  if (!load)
    {
      aa_spec_free (&spec);
      if (fwrite (text, 1, len, stdout) != len || fflush (stdout) != 0)
        {
          perror ("secshim apparmor: write");
          return 1;
        }
      return 0;
    }
  ret = aa_ensure_loaded (&aa_loader_default, spec.name, text, len, &ran, &err);
  if (ret < 0)
    {
      aa_spec_free (&spec);
      report_error (&err);
      return 1;
    }
  fprintf (stderr, "secshim apparmor: profile %s %s\n", spec.name, ran ? "loaded" : "already loaded (unchanged)");
  aa_spec_free (&spec);
  return 0;
}
