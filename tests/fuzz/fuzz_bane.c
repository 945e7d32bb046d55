/* Fuzz target: the bane TOML reader and the profile generator (apparmor.h).
 *
 * The TOML file is trusted, but whatever it says ends up as text fed to
 * apparmor_parser as root, so the reader must never crash or leak, and what
 * it accepts must not be able to smuggle rules into the profile.
 * Invariants:
 *  - aa_spec_from_toml refuses with a message, or yields a spec whose name is
 *    a valid profile name and whose paths carry no control characters,
 *    quotes or backslashes (aa_spec_check's promise);
 *  - aa_generate renders it, deterministically (same spec, same bytes), as
 *    one NUL-free text that names the profile. */
#include <string.h>

#include "fuzz.h"
#include "secshim/apparmor.h"
#include "secshim/cleanup.h"

static void
check_strv (const struct strv *v, const char *what)
{
  for (size_t i = 0; i < v->n; i++)
    for (const unsigned char *p = (const unsigned char *) v->v[i]; *p; p++)
      FUZZ_ASSERT (*p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\', "%s[%zu] `%s` has byte 0x%02x", what, i,
                   v->v[i], *p);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  secshim_error_t err = NULL;
  struct aa_spec spec = { 0 };
  cleanup_free char *text = NULL, *text2 = NULL;
  size_t len = 0, len2 = 0;

  if (aa_spec_from_toml ((const char *) data, size, "fuzz.toml", &spec, &err) < 0)
    {
      FUZZ_ASSERT (err && err->msg && strstr (err->msg, "fuzz.toml"), "refusal does not name the file: %s",
                   fuzz_msg (err));
      secshim_error_release (&err);
      aa_spec_free (&spec);
      return 0;
    }
  FUZZ_ASSERT (spec.name && aa_profile_name_valid (spec.name), "accepted profile name `%s`",
               spec.name ? spec.name : "(null)");
  check_strv (&spec.read_only_paths, "ReadOnlyPaths");
  check_strv (&spec.log_on_write_paths, "LogOnWritePaths");
  check_strv (&spec.writable_paths, "WritablePaths");
  check_strv (&spec.allow_exec, "AllowExec");
  check_strv (&spec.deny_exec, "DenyExec");

  FUZZ_ASSERT (aa_generate (&spec, &text, &len, &err) == 0, "aa_generate: %s", fuzz_msg (err));
  FUZZ_ASSERT (strlen (text) == len, "profile text has an embedded NUL");
  FUZZ_ASSERT (strstr (text, spec.name) != NULL, "profile text does not name `%s`", spec.name);
  FUZZ_ASSERT (aa_generate (&spec, &text2, &len2, &err) == 0, "second aa_generate: %s", fuzz_msg (err));
  FUZZ_ASSERT (len == len2 && memcmp (text, text2, len) == 0, "aa_generate is not deterministic");
  aa_spec_free (&spec);
  return 0;
}
