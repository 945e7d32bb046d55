/* The bane TOML reader: what it accepts, and that every refusal names the
 * line and column of the offending text. */
#include <stdlib.h>
#include <string.h>

#include "secshim/apparmor.h"
#include "tap.h"

static int
parse (const char *text, struct aa_spec *spec, secshim_error_t *err)
{
  memset (spec, 0, sizeof *spec);
  return aa_spec_from_toml (text, strlen (text), "t.toml", spec, err);
}

/* The document must be refused with a message starting "t.toml:LINE:COL: "
 * and containing `needle`. */
static void
refused (const char *name, const char *text, const char *where, const char *needle)
{
  struct aa_spec spec;
  secshim_error_t err = NULL;
  char prefix[64];
  int ret = parse (text, &spec, &err);
  snprintf (prefix, sizeof prefix, "t.toml:%s: ", where);
  TAP_CHECK (ret < 0 && err && strncmp (err->msg, prefix, strlen (prefix)) == 0 && strstr (err->msg, needle),
             "refuses %s at %s (%s)", name, where, err ? err->msg : "accepted");
  secshim_error_release (&err);
  aa_spec_free (&spec);
}

static void
test_nginx_sample (void)
{
  struct aa_spec spec;
  secshim_error_t err = NULL;
  const char *top = getenv ("SECSHIM_TOP");
  char path[4096];

  memset (&spec, 0, sizeof spec);
  snprintf (path, sizeof path, "%s/tests/apparmor/nginx-sample.toml", top ? top : ".");
  TAP_CHECK (aa_spec_from_toml_file (path, &spec, &err) == 0, "nginx-sample.toml parses (%s)", err ? err->msg : "ok");
  TAP_CHECK (spec.name && strcmp (spec.name, "nginx-sample") == 0, "Name");
  TAP_CHECK (spec.read_only_paths.n == 17 && strcmp (spec.read_only_paths.v[0], "/bin/**") == 0
                 && strcmp (spec.read_only_paths.v[16], "/usr/**") == 0,
             "ReadOnlyPaths: 17 in order");
  TAP_CHECK (spec.log_on_write_paths.n == 1 && strcmp (spec.log_on_write_paths.v[0], "/**") == 0,
             "LogOnWritePaths (array without trailing comma)");
  TAP_CHECK (spec.writable_paths.n == 1 && spec.allow_exec.n == 1 && spec.deny_exec.n == 3, "other path lists");
  TAP_CHECK (spec.cap_allow.n == 5 && spec.cap_deny.n == 0 && strcmp (spec.cap_allow.v[4], "net_bind_service") == 0,
             "Capabilities.Allow");
  TAP_CHECK (!spec.raw && !spec.packet && spec.protocols.n == 3 && strcmp (spec.protocols.v[2], "icmp") == 0,
             "[Network]");
  secshim_error_release (&err);
  aa_spec_free (&spec);
}

static void
test_accepted_forms (void)
{
  struct aa_spec spec;
  secshim_error_t err = NULL;
  int ret;

  ret = parse ("Name = 'lit\\eral'\n", &spec, &err);
  TAP_CHECK (ret < 0 && strstr (err->msg, "Name"), "literal strings keep backslashes (then the name is refused)");
  secshim_error_release (&err);
  aa_spec_free (&spec);

  ret = parse ("  Name=\"a\"   # trailing comment\r\n[ Network ]\r\nRaw=true\nPacket = false\n"
               "Protocols = [\n  # leading comment\n  \"tcp\" ,\n\n  'udp',\n]\n[Filesystem]\nAllowExec=[]",
               &spec, &err);
  TAP_CHECK (ret == 0, "CRLF, blanks around =, comments in arrays, trailing comma, empty array, no final newline (%s)",
             err ? err->msg : "ok");
  TAP_CHECK (spec.raw && !spec.packet && spec.protocols.n == 2 && strcmp (spec.protocols.v[1], "udp") == 0,
             "values read");
  secshim_error_release (&err);
  aa_spec_free (&spec);

  ret = parse ("Name = \"x\"\n[Filesystem]\nWritablePaths = [\"/caf\\u00e9\", \"/tab\\u0041\"]\n", &spec, &err);
  TAP_CHECK (ret == 0 && strcmp (spec.writable_paths.v[0], "/caf\xc3\xa9") == 0
                 && strcmp (spec.writable_paths.v[1], "/tabA") == 0,
             "\\u escapes decode to UTF-8");
  secshim_error_release (&err);
  aa_spec_free (&spec);
}

static void
test_refusals (void)
{
  /* The four the issue names. */
  refused ("unknown key", "Name = \"x\"\n[Filesystem]\nReadonlyPaths = []\n", "3:1",
           "unknown key `ReadonlyPaths` in [Filesystem]");
  refused ("key case", "name = \"x\"\n", "1:1", "keys are case-sensitive: `Name`");
  refused ("key in the wrong table", "Name = \"x\"\n[Network]\nAllow = []\n", "3:1", "it belongs in [Capabilities]");
  refused ("unknown table", "Name = \"x\"\n[Files]\n", "2:1", "unknown table [Files]");
  refused ("bad type: string for bool", "Name = \"x\"\n[Network]\nRaw = \"false\"\n", "3:7",
           "`Raw` must be a boolean (true or false), not a string");
  refused ("bad type: bool for array", "[Capabilities]\nAllow = true\n", "2:9", "must be an array of strings");
  refused ("bad type: array for string", "Name = [\"x\"]\n", "1:8", "`Name` must be a string");
  refused ("bad type: number in array", "[Capabilities]\nDeny = [\"a\",\n  1]\n", "3:3",
           "array elements must be strings");
  refused ("unterminated string", "Name = \"abc\n", "1:8", "unterminated string");
  refused ("unterminated string at EOF", "[Filesystem]\nAllowExec = [\"/a", "2:14", "unterminated string");
  refused ("unterminated array", "[Filesystem]\nAllowExec = [\"/a\",\n", "2:13", "unterminated array");
  refused ("duplicate table", "Name = \"x\"\n[Network]\nRaw = true\n\n[Network]\n", "5:1",
           "duplicate table [Network] (first on line 2)");
  refused ("duplicate key", "Name = \"x\"\nName = \"y\"\n", "2:1", "duplicate key `Name` (first set on line 1)");
  /* Unsupported syntax, each refused where it starts. */
  refused ("numbers", "Name = 42\n", "1:8", "unsupported value");
  refused ("inline tables", "Name = {a = 1}\n", "1:8", "inline tables are not supported");
  refused ("array of tables", "[[Filesystem]]\n", "1:1", "arrays of tables");
  refused ("dotted keys", "Network.Raw = true\n", "1:8", "dotted keys");
  refused ("quoted keys", "\"Name\" = \"x\"\n", "1:1", "quoted keys");
  refused ("multi-line strings", "Name = \"\"\"x\"\"\"\n", "1:8", "multi-line strings");
  refused ("nested arrays", "[Filesystem]\nAllowExec = [[\"/a\"]]\n", "2:14", "nested arrays");
  refused ("garbage after value", "Name = \"x\" y\n", "1:12", "expected the end of the line");
  refused ("missing =", "Name \"x\"\n", "1:6", "expected `=`");
  refused ("missing value", "Name =\n", "1:7", "missing value");
  refused ("missing comma", "[Filesystem]\nAllowExec = [\"/a\" \"/b\"]\n", "2:19", "expected `,` or `]`");
  refused ("bool prefix", "Name = \"x\"\n[Network]\nRaw = trueish\n", "3:7", "unsupported value");
  refused ("unknown escape", "Name = \"a\\qb\"\n", "1:10", "unknown escape");
  refused ("NUL escape", "Name = \"a\\u0000\"\n", "1:10", "U+0000 is not allowed");
  refused ("surrogate escape", "Name = \"a\\ud800\"\n", "1:10", "is not allowed");
  refused ("control character", "Name = \"a\x01\"\n", "1:10", "control character 0x01");
  refused ("lone CR", "Name = \"a\"\rRaw = true\n", "1:11", "control character 0x0d");
  refused ("invalid UTF-8", "# caf\xe9\n", "1:6", "invalid UTF-8");
  refused ("overlong UTF-8", "Name = \"\xc0\xaf\"\n", "1:9", "invalid UTF-8");
  refused ("byte order mark", "\xef\xbb\xbfName = \"x\"\n", "1:1", "byte order mark");
  refused ("bane's undocumented Imports", "Imports = [\"#include <x>\"]\n", "1:1", "unknown key `Imports`");
}

static void
test_checks_after_parse (void)
{
  struct aa_spec spec;
  secshim_error_t err = NULL;
  static const struct
  {
    const char *text, *needle;
  } cases[] = {
    { "[Network]\nRaw = true\n", "`Name` is missing" },
    { "Name = \"unconfined\"\n", "not a usable profile name" },
    { "Name = \"a b\"\n", "not a usable profile name" },
    { "Name = \"x\"\n[Filesystem]\nAllowExec = [\"relative/path\"]\n",
      "Filesystem.AllowExec[0]: `relative/path` must be absolute" },
    { "Name = \"x\"\n[Filesystem]\nDenyExec = [\"/a\", \"/b\\\"c\"]\n", "Filesystem.DenyExec[1]: `\"` is not allowed" },
    { "Name = \"x\"\n[Filesystem]\nDenyExec = [\"/a\\nb\"]\n", "control character 0x0a" },
    { "Name = \"x\"\n[Filesystem]\nDenyExec = [\"/home/@{HOME}\"]\n", "only the variable @{PROC}" },
    { "Name = \"x\"\n[Network]\nProtocols = [\"sctp\"]\n", "unknown protocol `sctp`" },
    { "Name = \"x\"\n[Capabilities]\nAllow = [\"fly\"]\n", "Capabilities.Allow[0]: unknown capability `fly`" },
    { "Name = \"x\"\n[Capabilities]\nAllow = [\"CAP_KILL\"]\nDeny = [\"kill\"]\n", "`kill` is in both Allow and Deny" },
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      int ret = parse (cases[i].text, &spec, &err);
      TAP_CHECK (ret < 0 && err && strstr (err->msg, cases[i].needle), "check refuses: %s (%s)", cases[i].needle,
                 err ? err->msg : "accepted");
      secshim_error_release (&err);
      aa_spec_free (&spec);
    }
}

static void
test_limits (void)
{
  struct aa_spec spec;
  secshim_error_t err = NULL;
  size_t n = AA_TOML_MAX_STRING + 20, i;
  char *big = malloc (n + 32);
  int ret;

  strcpy (big, "Name = \"");
  for (i = 0; i < n; i++)
    big[8 + i] = 'a';
  strcpy (big + 8 + n, "\"\n");
  ret = parse (big, &spec, &err);
  TAP_CHECK (ret < 0 && strstr (err->msg, "t.toml:1:8: string longer than"), "string length is bounded (%s)",
             err ? err->msg : "accepted");
  secshim_error_release (&err);
  aa_spec_free (&spec);
  free (big);

  memset (&spec, 0, sizeof spec);
  ret = aa_spec_from_toml ("Name = \"x\"", AA_TOML_MAX_BYTES + 1, "t.toml", &spec, &err);
  TAP_CHECK (ret < 0 && strstr (err->msg, "larger than"), "document size is bounded");
  secshim_error_release (&err);

  /* A NUL byte inside the buffer (length-delimited input) is refused. */
  ret = aa_spec_from_toml ("Name = \"x\0y\"\n", 13, "t.toml", &spec, &err);
  TAP_CHECK (ret < 0 && strstr (err->msg, "t.toml:1:10: control character 0x00"), "NUL refused with position (%s)",
             err ? err->msg : "accepted");
  secshim_error_release (&err);
  aa_spec_free (&spec);
}

int
main (void)
{
  test_nginx_sample ();
  test_accepted_forms ();
  test_refusals ();
  test_checks_after_parse ();
  test_limits ();
  return tap_done ();
}
