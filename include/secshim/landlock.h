/* Landlock: the file rules of a bane profile, for hosts without AppArmor.
 *
 * ll_ruleset_from_spec() derives from bane's fields what the generated
 * AppArmor profile denies that Landlock can express: ReadOnlyPaths lose the
 * write rights, DenyExec paths lose read, write and execute (AppArmor's
 * `deny P mrwklx`), and Protocols without tcp deny TCP bind/connect.  What
 * no rule denies stays allowed; WritablePaths and AllowExec grant nothing
 * beyond that, because in AppArmor a deny rule beats an allow rule too.
 * LogOnWritePaths (logging only), Raw/Packet and capabilities have no
 * Landlock form: capabilities and seccomp cover those.
 *
 * The container process enforces it: secshim prefixes process.args with
 * the static helper (helper/secshim-landlock.c), bind-mounted read-only at
 * LL_CONTAINER_PATH, which builds the ruleset inside the container, restricts
 * itself and execs the original command.  See docs/apparmor.md. */
#ifndef SECSHIM_LANDLOCK_H
#define SECSHIM_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "secshim/apparmor.h"
#include "secshim/error.h"
#include "secshim/settings.h"

/* Where the helper appears inside the container: under the /dev tmpfs runc
 * creates, so that nothing in the image changes. */
#define LL_CONTAINER_PATH "/dev/.secshim-landlock"
/* The helper's own limit on -d rules. */
#define LL_MAX_RULES 256

enum ll_class
{
  LL_READ = 1 << 0,  /* read files, list directories */
  LL_WRITE = 1 << 1, /* write, create, remove, rename, truncate */
  LL_EXEC = 1 << 2,  /* execute */
};

struct ll_rule
{
  char *path;        /* absolute, lexically normal: the tree or file denied */
  unsigned classes;  /* enum ll_class */
  bool tree;         /* from a glob: may be reached through symlinks */
  bool widened;      /* the glob was wider than a trailing slash-star-star: its whole directory */
  const char *field; /* bane field it came from (static) */
};

struct ll_ruleset
{
  struct ll_rule *v;
  size_t n;
  bool deny_tcp; /* Protocols set and no tcp in it (Landlock ABI >= 4) */
  size_t n_widened;
};

void ll_ruleset_free (struct ll_ruleset *r);

/* Derive the ruleset.  Fails (EINPUT) on more than LL_MAX_RULES rules. */
int ll_ruleset_from_spec (const struct aa_spec *s, struct ll_ruleset *out, secshim_error_t *err);

/* Nothing for Landlock to enforce (no file rules, no TCP restriction). */
bool ll_ruleset_empty (const struct ll_ruleset *r);

/* The helper's arguments before "--": "-d" "wt:/etc" ... ["-n"], as a
 * malloc'd strv (strv_free). */
void ll_helper_args (const struct ll_ruleset *r, struct strv *out);

/* The mount secshim adds for the helper, exactly: {"destination":
 * LL_CONTAINER_PATH, "type": "bind", "source": helper, "options": ["bind",
 * "ro", "nosuid", "nodev"]} and nothing else.  The mounts rule lets it
 * through (a read-only bind of a file secshim ships), so that a rewritten
 * config.json evaluates the same again. */
struct json_value;
struct json_value *ll_helper_mount (const char *helper);
bool ll_is_helper_mount (const struct json_value *m, const char *helper);

/* The running kernel's Landlock ABI version, 0 when there is none. */
int ll_abi_version (void);

#endif
