/* Facts about the host that rules need.  Evaluation is otherwise pure: all
 * I/O a rule needs goes through this table, so tests and fuzzers can supply
 * a fake host and `secshim check` runs the same code as container start.
 *
 * This header is the interface only.  Its implementations, the real host
 * and the lexical fake, are in hosts.h (src/hosts.c): the real host is
 * built on the resolution layer, AppArmor and Landlock, which themselves
 * only see this table, so the dependencies run one way. */
#ifndef SECSHIM_HOST_H
#define SECSHIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "secshim/error.h"

/* Which file a path names, by inode: what the kernel will execute or open,
 * whatever the path's spelling (docs/threat-model.md §2.11). */
struct host_file_id
{
  unsigned long long dev;
  unsigned long long ino;
};

static inline bool
host_file_id_equal (const struct host_file_id *a, const struct host_file_id *b)
{
  return a->dev == b->dev && a->ino == b->ino;
}

struct host
{
  /* Canonicalise an absolute host path: collapse "//", "/./", "..", trailing
   * "/", and resolve symlinks of the existing prefix (so /var/run/docker.sock
   * becomes /run/docker.sock); a non-existent tail is kept lexically.
   * *out is malloc'd.  Returns 0 or -1 with err set. */
  int (*canonicalize) (const struct host *h, const char *path, char **out, secshim_error_t *err);

  /* *is_host = true when path names the same namespace (st_dev, st_ino) as
   * the runtime's own, /proc/self/ns/<name> (or /proc/1/ns/<name> where it
   * can be read), where <name> is the /proc spelling of the OCI type
   * (network = net, mount = mnt).  stat follows every symlink and /proc
   * magic link, so /proc/<pid>/root/proc/1/ns/net and /proc/self/ns/net
   * land on the namespace itself.  Fails closed: a path that cannot be
   * stat'ed (ENOENT, EACCES), that is no namespace file, or a reference
   * that cannot be read returns -1 with err set, and the rule refuses. */
  int (*ns_is_host) (const struct host *h, const char *type, const char *path, bool *is_host, secshim_error_t *err);

  /* File system primitives of the resolution layer (resolve.h), so tests
   * can fake a host: 0 (a length for readlink) or -errno.  NULL in the
   * fake hosts of host_fake_init: a lexical world where every path exists
   * and nothing is a symlink. */
  int (*sys_lstat) (const struct host *h, const char *path, struct stat *st);
  int (*sys_stat) (const struct host *h, const char *path, struct stat *st);
  long (*sys_readlink) (const struct host *h, const char *path, char *buf, size_t size);
  int (*sys_statfs_type) (const struct host *h, const char *path, unsigned long *magic);

  /* secshim's own oom_score_adj, which it inherits from the engine process
   * that started it (containerd's shim sets its own to containerd's + 1,
   * conmon keeps podman's): 0 or -errno.  NULL in fake hosts: unknown. */
  int (*engine_oom_score_adj) (const struct host *h, int *score);

  /* *bounded = true when the cgroup `dir` (absolute within the hierarchy,
   * cleaned, not "/") has a finite limit of `controller` ("memory" or
   * "pids"): cgroup v2's memory.max / pids.max, or v1's
   * memory.limit_in_bytes / pids.max under the controller's hierarchy.
   * Every cgroup below it is held to that limit by the kernel.  0, or
   * -errno when it cannot be read (no such cgroup: -ENOENT).  NULL in fake
   * hosts: nothing is known to be bounded. */
  int (*cgroup_bounded) (const struct host *h, const char *controller, const char *dir, bool *bounded);

  bool apparmor_enabled;   /* aa_is_enabled() */
  bool cgroupns_supported; /* /proc/self/ns/cgroup exists */

  /* Make sure the kernel holds AppArmor profile `name`: with text, load it
   * unless exactly this text is already loaded (once, under a lock); with
   * text NULL, fail unless it is loaded.  Real host: apparmor_host_ensure
   * (apparmor.h).  NULL (fake hosts) means the host cannot load profiles:
   * the apparmor rule then fails closed on an AppArmor host. */
  int (*apparmor_ensure) (const struct host *h, const char *name, const char *text, size_t len, secshim_error_t *err);
  /* stat(2) path in secshim's (= runc's) mount namespace, following
   * symlinks and /proc magic links: /proc/<pid>/exe is the very file that
   * process runs, even when it lives in another mount namespace, so it is
   * the file runc would execute for a hook naming it.  -1 with err (errno)
   * when it cannot be stat'ed (a dead pid, EACCES).  NULL (fake hosts):
   * nothing can be identified, and rules needing an identity refuse. */
  int (*file_identity) (const struct host *h, const char *path, struct host_file_id *out, secshim_error_t *err);

  /* Landlock, where AppArmor is absent: the kernel's ABI version (0: none)
   * and the helper the apparmor rule bind-mounts into containers (a root-
   * owned regular file not writable by others: SECSHIM_LIBEXECDIR
   * "/secshim-landlock", else beside secshim's own binary, the build tree);
   * NULL when there is none. */
  int landlock_abi;
  const char *landlock_helper;
  void *priv;
  /* The answers of sys_lstat, sys_readlink and sys_statfs_type already
   * given in this evaluation (resolve.c), or NULL.  policy_evaluate sets it
   * on its own copy of the host: every rule resolves the same host paths
   * again (each mount source, each denied path, their common prefixes),
   * and an evaluation sees one file system. */
  struct host_memo *memo;
};

#endif
