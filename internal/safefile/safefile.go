// Package safefile opens and reads files that must be regular files: manifests,
// dotenv files, API key files and state files. A named pipe, a socket or a
// device given in their place is refused at once: opening a FIFO for reading
// would block until some writer appears, and reading a device may never end.
//
// What was opened is checked, not the path: a file swapped for a FIFO between
// a directory walk and the read is still caught.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is wrapped by the error Open returns for anything that is not
// a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the error ReadFile returns for a file over its
// limit.
var ErrTooLarge = errors.New("file too large")

// Open opens path for reading without blocking, and returns it only if it is
// a regular file. Other kinds are closed again and refused with an error
// wrapping ErrNotRegular that says what they are ("a named pipe").
func Open(path string) (*os.File, error) {
	f, _, err := OpenInfo(path)
	return f, err
}

// OpenInfo is Open that also returns what it found the opened file to be,
// so that its caller need not ask again (its size, say).
func OpenInfo(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is rather
		// than "no such device or address".
		if info, serr := os.Stat(path); serr == nil && !info.Mode().IsRegular() {
			return nil, nil, notRegular(path, info.Mode())
		}
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, notRegular(path, info.Mode())
	}
	return f, info, nil
}

// OpenAppend opens path for appending, creating it with perm if it does not
// exist, without blocking, and returns it only if it is a regular file: for
// files another program names for writing ($GITHUB_STEP_SUMMARY,
// $GITHUB_OUTPUT). A named pipe would block a plain open(2) until a reader
// appears, and no signal ends that wait; here one without a reader fails at
// once (ENXIO), and one with a reader, a socket or a device is closed again
// and refused with an error wrapping ErrNotRegular.
func OpenAppend(path string, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|nonBlock, perm)
	if err != nil {
		if info, serr := os.Stat(path); serr == nil && !info.Mode().IsRegular() {
			return nil, notRegular(path, info.Mode())
		}
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(path, info.Mode())
	}
	return f, nil
}

func notRegular(path string, m fs.FileMode) error {
	return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, Kind(m))}
}

// ReadFile reads the regular file at path, refusing one larger than limit
// bytes (an error wrapping ErrTooLarge) without reading more than limit+1.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, info, err := OpenInfo(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info.Size() > limit {
		// Refused on its size, without reading it.
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	return ReadSized(f, path, limit, info.Size())
}

// ReadLimited reads all of r, refusing more than limit bytes: a file can grow
// while it is read, or lie about its size (/proc).
func ReadLimited(r io.Reader, name string, limit int64) ([]byte, error) {
	return ReadSized(r, name, limit, 0)
}

// ReadSized is ReadLimited for a reader of about size bytes (a file's size
// as it was opened; 0 if not known): the buffer is made that size at once,
// so a small file is read with one allocation, as os.ReadFile does.
func ReadSized(r io.Reader, name string, limit, size int64) ([]byte, error) {
	n := int64(512)
	if size > 0 && size < limit {
		n = size + 1 // room for the read that finds the end
	}
	r = io.LimitReader(r, limit+1)
	data := make([]byte, 0, n)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // let append choose the growth
		}
		k, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+k]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrTooLarge}
	}
	return data, nil
}

// Kind names a file mode for people: "a named pipe", "a socket", "a device",
// "a directory".
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}
