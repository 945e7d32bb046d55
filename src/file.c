/* Reading a file by path, with secshim's error object (secshim/file.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/file.h"
#include "secshim/util.h"

int
read_data_file (const char *path, size_t max, char **out, size_t *out_len, secshim_error_t *err)
{
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  int ret;

  if (fd < 0)
    return secshim_make_error (err, errno, "open `%s`", path);
  if (fstat (fd, &st) < 0)
    {
      int errsv = errno;
      close (fd);
      return secshim_make_error (err, errsv, "stat `%s`", path);
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is not a regular file", path);
    }
  ret = read_all_fd (fd, max, out, out_len);
  if (ret < 0)
    {
      int errsv = errno;
      close (fd);
      if (errsv == EFBIG)
        return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is larger than %zu bytes", path, max);
      return secshim_make_error (err, errsv, "read `%s`", path);
    }
  close (fd);
  return 0;
}
