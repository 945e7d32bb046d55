/* AppArmor: bane-compatible profile generation, loading, and the CLI.
 *
 * A profile is described by bane's fields (genuinetools/bane sample.toml):
 * Name, [Filesystem] ReadOnlyPaths / LogOnWritePaths / WritablePaths /
 * AllowExec / DenyExec, [Network] Raw / Packet / Protocols, [Capabilities]
 * Allow / Deny.  They come from a bane TOML file (aa_spec_from_toml, a small
 * strict reader: Debian has no C TOML library) or from the policy's inline
 * "fields" object (aa_spec_from_json).  aa_generate() renders the profile
 * deterministically: same fields, same bytes.  See docs/apparmor.md for
 * every rule it emits and where it differs from bane.
 *
 * Loading goes through apparmor_parser (replace mode, cache directory) and
 * only when the kernel does not already hold exactly this text: the profile
 * name must be listed in the kernel's profiles file and the stamp file
 * written after our last successful load must hold the text's sha256.
 * Concurrent starters serialise on a lock file and re-check under it, so a
 * profile is loaded once, never per container. */
#ifndef SECSHIM_APPARMOR_H
#define SECSHIM_APPARMOR_H

#include <stdbool.h>
#include <stddef.h>

#include "secshim/error.h"
#include "secshim/json.h"
#include "secshim/settings.h"

/* Bane's fields.  Strings are as written, except capabilities, which
 * aa_spec_check() normalises to AppArmor's lowercase names. */
struct aa_spec
{
  char *name;
  struct strv read_only_paths;    /* deny P wl, */
  struct strv log_on_write_paths; /* audit P w, */
  struct strv writable_paths;     /* P w, */
  struct strv allow_exec;         /* P ix, */
  struct strv deny_exec;          /* deny P mrwklx, */
  bool raw;                       /* false: deny network raw, */
  bool packet;                    /* false: deny network packet, */
  struct strv protocols;          /* tcp, udp, icmp: IPv4 and IPv6 rules */
  struct strv cap_allow;
  struct strv cap_deny;
};

void aa_spec_free (struct aa_spec *s);

/* Limits of the TOML reader (bane files are a few hundred bytes). */
#define AA_TOML_MAX_BYTES ((size_t) 1024 * 1024)
#define AA_TOML_MAX_STRING 4096
#define AA_TOML_MAX_ITEMS 4096

/* Parse a bane TOML document and check it (aa_spec_check).  `where` names
 * the file in messages: "nginx.toml:12:3: unknown key `ReadonlyPaths` in
 * [Filesystem]".  Accepts only: [Filesystem] / [Network] / [Capabilities]
 * tables, bare keys, "basic" and 'literal' one-line strings, booleans,
 * arrays of strings (multi-line, trailing comma), # comments.  Anything
 * else is refused with line and column. */
int aa_spec_from_toml (const char *buf, size_t len, const char *where, struct aa_spec *out, secshim_error_t *err);
/* Read path (regular file, at most AA_TOML_MAX_BYTES) and parse it. */
int aa_spec_from_toml_file (const char *path, struct aa_spec *out, secshim_error_t *err);

/* The same fields as a JSON object, keys as in bane:
 *   {"Name": "x", "Filesystem": {"ReadOnlyPaths": [...]}, "Network": {"Raw": false},
 *    "Capabilities": {"Deny": [...]}}
 * Every key of obj is consumed; leftovers are refused as unknown.  `where`
 * is the object's policy path ("rules.apparmor.fields").  Checks the result. */
int aa_spec_from_json (struct json_value *obj, const char *where, struct aa_spec *out, secshim_error_t *err);

/* Validate and normalise: profile name, paths (absolute or @{PROC}, no
 * control characters, quotes or backslashes), protocols, capabilities (a
 * name in both Allow and Deny is refused). */
int aa_spec_check (struct aa_spec *s, const char *where, secshim_error_t *err);

/* A profile name secshim will generate, attach and look up: [A-Za-z0-9]
 * then [A-Za-z0-9._-], at most 128 bytes, not "unconfined". */
bool aa_profile_name_valid (const char *name);

/* Render the profile.  *out is malloc'd and NUL-terminated. */
int aa_generate (const struct aa_spec *s, char **out, size_t *out_len, secshim_error_t *err);

/* Where the loader looks; tests point these at a temporary directory and a
 * fake parser. */
struct aa_loader
{
  const char *parser;        /* "/sbin/apparmor_parser" */
  const char *cache_dir;     /* "/var/cache/secshim/apparmor": profiles, stamps, lock, binary cache */
  const char *profiles_file; /* "/sys/kernel/security/apparmor/profiles" */
};
extern const struct aa_loader aa_loader_default;

/* *loaded = the kernel's profiles file lists `name`. */
int aa_profile_is_loaded (const struct aa_loader *l, const char *name, bool *loaded, secshim_error_t *err);

/* Load `text` as profile `name` unless the kernel already holds exactly it.
 * *ran_parser (may be NULL) tells whether apparmor_parser ran. */
int aa_ensure_loaded (const struct aa_loader *l, const char *name, const char *text, size_t len, bool *ran_parser,
                      secshim_error_t *err);

/* `secshim apparmor generate FILE` / `secshim apparmor load FILE`;
 * argv[0] is "apparmor".  Returns the process exit status. */
int apparmor_cli_main (int argc, char **argv);

#endif
