/* The container's file system as runc 1.1.5 will build it from a config:
 * the rootfs (root.path joined to the bundle), and each mount in order,
 * its destination landed with securejoin semantics over the rootfs and the
 * mounts before it, its host source (bind mounts) resolved by resolve.h.
 * Built by the rules that judge where a path lands (mounts, process.cwd).
 * Private to src/rules. */
#ifndef SECSHIM_RULES_VIEW_H
#define SECSHIM_RULES_VIEW_H

#include <stdbool.h>

#include "secshim/policy.h"
#include "secshim/resolve.h"

struct mount_view
{
  bool bind;           /* runc sets MS_BIND ("bind"/"rbind" in options), or type "bind" */
  char *landed;        /* container path the destination lands on, NULL on error */
  int dest_err;        /* -errno when landing failed (EINVAL: no destination) */
  bool dest_in_kernel; /* it lands inside a kernel filesystem mounted before it */
  char *joined;        /* bind: the source after runc's join (bundle-relative made absolute) */
  char *host;          /* bind: physical host path of the source, NULL on error */
  int host_err;        /* bind: -errno of the resolution */
  unsigned long magic; /* bind: filesystem of the source (statfs), 0 unknown */
};

struct config_view
{
  struct rview v;
  char *rootfs;         /* physical host path of the rootfs, NULL when unknown */
  struct mount_view *m; /* one per element of "mounts" */
  size_t n;
};

/* runc's MS_BIND: "bind" or "rbind" among the options (no option clears it). */
bool mount_sets_bind (const struct json_value *m);
/* A filesystem type whose files are kernel objects (proc, sysfs, cgroup, ...). */
bool mount_type_is_kernel_fs (const char *type);

/* The directories an overlay mount names in its options, as the kernel
 * parses runc's m.Data (the options joined with ','): options split on ','
 * and lowerdir on ':', a backslash escaping the next character; keys
 * lowerdir=, lowerdir+=, upperdir=, workdir=, datadir+=. */
struct overlay_dir
{
  char key; /* 'l' lower (in order), 'u' upper, 'w' work, 'd' data-only */
  char *dir;
};
struct overlay_dirs
{
  struct overlay_dir *v;
  size_t n, cap;
};
void overlay_dirs_parse (const struct json_value *m, struct overlay_dirs *out);
void overlay_dirs_free (struct overlay_dirs *d);

/* Build the view of ctx->doc (a config.json).  Never fails: what cannot be
 * resolved is recorded per mount for the rules to refuse. */
void config_view_build (const struct eval_ctx *ctx, struct config_view *cv);
/* The same view for `runc exec` of an existing container: built from
 * runc's own record of it, <root>/<id>/state.json (config.rootfs and
 * config.mounts, sources already joined by runc at create).  Returns 0, or
 * -1 when there is no such record to read (not a runc container, secshim
 * check): the caller then has nothing to land a path in. */
int config_view_build_from_state (const struct eval_ctx *ctx, struct config_view *cv);
void config_view_free (struct config_view *cv);
/* The view of ctx->doc (a config.json) as config_view_build makes it,
 * built once per evaluation and shared by the rules that need it (process
 * for its cwd, then mounts): it is rebuilt when anything it was built from
 * (root.path, each mount's destination, type, source and options) is not
 * byte for byte what it was, so a rule that rewrote the document in
 * between is seen.  Owned by ctx (freed by policy_evaluate). */
const struct config_view *config_view_shared (struct eval_ctx *ctx);

#endif
