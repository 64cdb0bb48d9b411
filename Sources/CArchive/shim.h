#include <archive.h>
#include <archive_entry.h>

/* libarchive's file-type macros are casts Swift cannot import; re-export them. */
static const unsigned int CArchiveFileTypeMask = AE_IFMT;
static const unsigned int CArchiveRegularFile = AE_IFREG;
static const unsigned int CArchiveDirectory = AE_IFDIR;
static const unsigned int CArchiveSymbolicLink = AE_IFLNK;
