/* Small cleanup helpers, after bubblewrap's utils.h and crun's utils.h.
 *
 * Every resource-holding local starts as NULL / -1 and carries one of these
 * attributes, so that no early return can leak it.  Ownership leaves a scope
 * only through steal_pointer() / steal_fd(). */
#ifndef SECSHIM_CLEANUP_H
#define SECSHIM_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void
cleanup_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
}

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int errsv = errno;
      (void) close (*fd);
      errno = errsv;
    }
}

static inline void
cleanup_filep (FILE **f)
{
  if (*f)
    (void) fclose (*f);
}

static inline void
cleanup_dirp (DIR **d)
{
  if (*d)
    (void) closedir (*d);
}

#define cleanup_free __attribute__ ((__cleanup__ (cleanup_freep)))
#define cleanup_close __attribute__ ((__cleanup__ (cleanup_closep)))
#define cleanup_file __attribute__ ((__cleanup__ (cleanup_filep)))
#define cleanup_dir __attribute__ ((__cleanup__ (cleanup_dirp)))

/* Define a cleanup attribute for a library handle:
 *   DEFINE_CLEANUP_FUNC (struct json_value *, json_free)
 *   cleanup_with (json_free) struct json_value *v = NULL;  */
#define DEFINE_CLEANUP_FUNC(type, func)                                                                                \
  static inline void func##p (type *p)                                                                                 \
  {                                                                                                                    \
    if (*p)                                                                                                            \
      func (*p);                                                                                                       \
  }
#define cleanup_with(func) __attribute__ ((__cleanup__ (func##p)))

static inline void *(steal_pointer) (void *pp)
{
  void **ptr = (void **) pp;
  void *ref = *ptr;
  *ptr = NULL;
  return ref;
}
/* Type-checked: the result has the type of *pp (bubblewrap). */
#define steal_pointer(pp) (0 ? (*(pp)) : (steal_pointer) (pp))

static inline int
steal_fd (int *fd)
{
  int ret = *fd;
  *fd = -1;
  return ret;
}

#endif
