// Package idcopytest makes stand-ins for a copy of an ID document in
// tests: real images that decode, holding random bytes no file could hold
// by accident (so that a test can search for them where they must not be).
package idcopytest

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// JPEG is a small photo with about n random bytes in a comment segment
// that starts right after the header (n at most 65000), so that the bytes
// from offset 16 to n are random.
func JPEG(n int) []byte {
	var img bytes.Buffer
	if err := jpeg.Encode(&img, picture(), nil); err != nil {
		panic(err)
	}
	noise := make([]byte, min(n, 65000))
	rand.Read(noise)
	seg := len(noise) + 2
	out := []byte{0xFF, 0xD8, 0xFF, 0xFE, byte(seg >> 8), byte(seg)}
	out = append(out, noise...)
	return append(out, img.Bytes()[2:]...) // the photo without its SOI
}

// PNG is a small picture.
func PNG() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture()); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func picture() image.Image {
	m := image.NewRGBA(image.Rect(0, 0, 32, 20))
	for x := 0; x < 32; x++ {
		for y := 0; y < 20; y++ {
			m.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 12), 128, 255})
		}
	}
	return m
}
