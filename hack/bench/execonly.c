/* execonly: the physical limit of a runtime wrapper.
 *
 *   execonly RUNTIME ARGS...   ==   execv (RUNTIME, [RUNTIME, ARGS...])
 *
 * Built with the same compiler flags as secshim but linked against libc
 * only.  Whatever secshim costs above this is its own.  A benchmark helper,
 * not part of secshim. */
#include <stdio.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  execv (argv[1], argv + 1);
  perror ("execonly");
  return 127;
}
