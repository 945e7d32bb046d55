/* nop: a stand-in runtime that does nothing, statically linked, so that
 * timing or ru_maxrss of "secshim create -> nop" is secshim's own.
 * A benchmark helper, not part of secshim. */
int
main (void)
{
  return 0;
}
