//go:build !unix

package emulator

import "os"

// openFlags is empty where there is no non-blocking open; the check of what
// was opened still refuses what is not a regular file.
const openFlags = 0

// noFollow is empty where there is no O_NOFOLLOW; the path is still looked at
// (Lstat) before it is opened.
const noFollow = 0

// setBlocking has nothing to undo where files are not opened non-blocking.
func setBlocking(*os.File) error { return nil }
