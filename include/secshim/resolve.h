/* The one resolution layer for paths that reach the host (docs/policy.md,
 * "How paths are resolved").  Every rule that judges a host path resolves it
 * here, the way runc 1.1.5 and the kernel do, and fails closed:
 *
 *  1. runc's join (specconv createLibcontainerMount): a relative bind source
 *     is Go's filepath.Join(bundle, source), which cleans "..", "." and "//"
 *     LEXICALLY before the kernel sees the path: "link/../.." is the bundle's
 *     grandparent whatever "link" points to.  go_path_clean/go_path_join.
 *  2. The kernel's physical walk of the result (what runc's os.Stat and the
 *     mount(2) of the source open): every symlink followed, the last one
 *     too, ".." taken physically after each symlink.  resolve_host.
 *  3. A rootfs view with securejoin semantics (runc's
 *     securejoin.SecureJoin(rootfs, destination) at mount time, and the
 *     container's chdir(cwd) after pivot_root): symlinks read inside the
 *     rootfs, absolute ones restart at the rootfs root, ".." clamped there,
 *     and the config's mounts (in order) laid over it.  rview_*.
 *
 * All host I/O goes through struct host (sys_lstat, sys_readlink,
 * sys_statfs_type) so unit tests can supply a fake file system.  Loops are
 * bounded (40 symlinks for the kernel walk, 255 for securejoin, PATH_MAX);
 * nothing recurses.  Errors are negative errno values: the caller turns them
 * into a finding naming the field (a path secshim cannot resolve is
 * refused: runc could not use it either). */
#ifndef SECSHIM_RESOLVE_H
#define SECSHIM_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "secshim/host.h"
#include "secshim/util.h"

#define RESOLVE_KERNEL_MAX_SYMLINKS 40      /* the kernel's MAXSYMLINKS */
#define RESOLVE_SECUREJOIN_MAX_SYMLINKS 255 /* filepath-securejoin's limit */

/* Go's filepath.Join(a, b) (both non-empty), lexical: go_path_clean
 * (util.h) of the two joined.  Malloc'd. */
char *go_path_join (const char *a, const char *b);

enum resolve_flags
{
  RESOLVE_MISSING_OK = 1 << 0,    /* a missing tail (ENOENT/ENOTDIR) is kept lexically */
  RESOLVE_NOFOLLOW_LAST = 1 << 1, /* lstat semantics: a final symlink is not followed */
};

/* Physical resolution of an absolute host path.  *out is malloc'd.
 * Returns 0, or -errno (ENOENT, EACCES, ELOOP, ENAMETOOLONG, ENOTDIR, EINVAL
 * for a relative path).  A host without sys_lstat (fake hosts of the
 * fuzzers) resolves lexically. */
int resolve_host (const struct host *h, const char *path, unsigned flags, char **out);
/* The same, appending the physical path and its NUL to out (nothing on
 * error): many paths in one allocation. */
int resolve_host_append (const struct host *h, const char *path, unsigned flags, struct strbuf *out);

/* runc's bind source: a relative source joined to the bundle directory
 * (filepath.Join), then resolved physically, every component required to
 * exist (runc's os.Stat(source) fails otherwise).  *joined (optional) gets
 * the joined path, *out the physical one.  -EINVAL when relative and bundle
 * is NULL. */
int resolve_bind_source (const struct host *h, const char *bundle, const char *source, char **joined, char **out);

/* Filesystem magic of a host path (statfs f_type), 0 when the host cannot
 * tell (fake hosts); -errno on error. */
int resolve_fs_type (const struct host *h, const char *path, unsigned long *magic);
bool resolve_magic_is_kernel_fs (unsigned long magic); /* proc, sysfs, cgroup, debugfs, ... */

/* The memo of host answers for one evaluation (host.h, struct host's
 * memo): at most a few thousand paths, then the host is asked uncached,
 * except for the directories leading to the last path walked, which a
 * walk of a path below them does not ask about again. */
struct host_memo *host_memo_new (void);
void host_memo_free (struct host_memo *m);

/* ---- the rootfs view ---- */

enum rview_kind
{
  RVIEW_HOST,   /* a bind mount: below dest is the host directory `host` */
  RVIEW_KERNEL, /* proc, sysfs, cgroup, ... or a bind of one: kernel objects */
  RVIEW_EMPTY,  /* tmpfs, devpts, mqueue, overlay, unknown: nothing to resolve, lexical */
};

struct rview_mount
{
  char *dest; /* where it landed, a clean absolute container path */
  enum rview_kind kind;
  char *host;   /* RVIEW_HOST: physical host path of the source */
  size_t index; /* position in the config's mounts */
  /* RVIEW_HOST over several directories (an overlay: upper, then each
   * lower), looked up in order, the first that has a name wins; a
   * whiteout (0:0 character device) hides it.  NULL: just `host`. */
  char **layers;
  size_t nlayers;
};

struct rview
{
  const struct host *h;
  char *rootfs; /* physical host path of the rootfs, NULL when unknown (lexical view) */
  struct rview_mount *m;
  size_t n, cap;
  /* dest -> last mount at that dest (open addressing, power of two) */
  size_t *slots; /* index + 1 into m, 0 = empty */
  size_t nslots;
};

struct rview_landing
{
  char *path;     /* clean absolute container path (malloc'd) */
  long mount;     /* index into v->m of the mount it lies in, -1 = the rootfs */
  bool in_kernel; /* it lies inside a kernel filesystem (or went through one below its root) */
};

/* rootfs: physical host path or NULL. */
void rview_init (struct rview *v, const struct host *h, const char *rootfs);
void rview_free (struct rview *v);
/* Where path lands in the view as it is now (securejoin semantics plus the
 * mounts added so far).  Returns 0 or -errno (EACCES on a component, ELOOP
 * past 255 symlinks, ENAMETOOLONG). */
int rview_resolve (const struct rview *v, const char *path, struct rview_landing *out);
/* Lay a mount over the view (dest already landed with rview_resolve). */
void rview_add (struct rview *v, const char *dest, enum rview_kind kind, const char *host, size_t index);
/* An overlay: RVIEW_HOST over layers (physical host paths, top first). */
void rview_add_layers (struct rview *v, const char *dest, char *const *layers, size_t n, size_t index);

#endif
