/* Facts about the host that rules need.  Evaluation is otherwise pure: all
 * I/O a rule needs goes through this table, so tests and fuzzers can supply
 * a fake host and `secshim check` runs the same code as container start. */
#ifndef SECSHIM_HOST_H
#define SECSHIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "secshim/error.h"

struct host
{
  /* Canonicalise an absolute host path: collapse "//", "/./", "..", trailing
   * "/", and resolve symlinks of the existing prefix (so /var/run/docker.sock
   * becomes /run/docker.sock); a non-existent tail is kept lexically.
   * *out is malloc'd.  Returns 0 or -1 with err set. */
  int (*canonicalize) (const struct host *h, const char *path, char **out, secshim_error_t *err);

  /* *is_host = true when path names the same namespace (st_dev, st_ino) as
   * the runtime's own, /proc/self/ns/<name> (or /proc/1/ns/<name>), where
   * <name> is the /proc spelling of the OCI type (network = net, mount =
   * mnt).  A path that cannot be stat'ed is not the host's: runc cannot
   * join it either. */
  int (*ns_is_host) (const struct host *h, const char *type, const char *path, bool *is_host, secshim_error_t *err);

  /* File system primitives of the resolution layer (resolve.h), so tests
   * can fake a host: 0 (a length for readlink) or -errno.  NULL in the
   * fake hosts of host_fake_init: a lexical world where every path exists
   * and nothing is a symlink. */
  int (*sys_lstat) (const struct host *h, const char *path, struct stat *st);
  int (*sys_stat) (const struct host *h, const char *path, struct stat *st);
  long (*sys_readlink) (const struct host *h, const char *path, char *buf, size_t size);
  int (*sys_statfs_type) (const struct host *h, const char *path, unsigned long *magic);

  bool apparmor_enabled;   /* aa_is_enabled() */
  bool cgroupns_supported; /* /proc/self/ns/cgroup exists */

  /* Make sure the kernel holds AppArmor profile `name`: with text, load it
   * unless exactly this text is already loaded (once, under a lock); with
   * text NULL, fail unless it is loaded.  Real host: apparmor_host_ensure
   * (apparmor.h).  NULL (fake hosts) means the host cannot load profiles:
   * the apparmor rule then fails closed on an AppArmor host. */
  int (*apparmor_ensure) (const struct host *h, const char *name, const char *text, size_t len, secshim_error_t *err);
  void *priv;
};

/* The real host (lazy: nothing is probed until asked). */
const struct host *host_real (void);
/* A host with lexical canonicalisation only, no namespaces of its own, for
 * tests: apparmor/cgroupns flags as given. */
void host_fake_init (struct host *h, bool apparmor_enabled, bool cgroupns_supported);

#endif
