// Command generate prints known-answer vectors for @defs/erasure from the real
// klauspost/reedsolomon library. See README.md beside this file for how to run it.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/klauspost/reedsolomon"
)

// fill is the xorshift32 stream the TypeScript tests reproduce: data shard j, byte i
// is the (j*size+i)-th low byte of the sequence started at seed.
func fill(seed uint32, k, size int) [][]byte {
	x := seed
	shards := make([][]byte, k)
	for j := range shards {
		shards[j] = make([]byte, size)
		for i := range shards[j] {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			shards[j][i] = byte(x)
		}
	}
	return shards
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func encode(k, m int, data [][]byte) [][]byte {
	enc, err := reedsolomon.New(k, m)
	must(err)
	size := len(data[0])
	shards := append([][]byte{}, data...)
	for p := 0; p < m; p++ {
		shards = append(shards, make([]byte, size))
	}
	must(enc.Encode(shards))
	return shards[k:]
}

func main() {
	fmt.Println("# klauspost/reedsolomon known answers for @defs/erasure; regenerate with test/vectors/README.md")
	fmt.Println("# matrix k m <hex of the m parity rows of the encoding matrix, row by row>")
	fmt.Println("# encode k m size seed <sha256 of the m parity shards concatenated> [<hex of the parity when short>]")

	// The parity rows of the matrix: encode the k unit vectors of length k.
	for _, km := range [][2]int{{1, 1}, {2, 2}, {3, 2}, {4, 2}, {5, 3}, {6, 3}, {10, 4}, {12, 4}, {16, 16}, {17, 3}} {
		k, m := km[0], km[1]
		data := make([][]byte, k)
		for j := range data {
			data[j] = make([]byte, k)
			data[j][j] = 1
		}
		parity := encode(k, m, data)
		// parity[p][j] is row k+p, column j.
		row := []byte{}
		for _, p := range parity {
			row = append(row, p...)
		}
		fmt.Printf("matrix %d %d %s\n", k, m, hex.EncodeToString(row))
	}

	shapes := [][2]int{
		{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 1}, {3, 2}, {4, 2}, {4, 4}, {5, 3}, {6, 2}, {6, 3},
		{7, 5}, {8, 4}, {9, 7}, {10, 4}, {10, 6}, {12, 4}, {13, 13}, {16, 4}, {16, 16}, {17, 3},
		{20, 10}, {24, 8}, {32, 32}, {50, 20}, {64, 64}, {100, 50}, {128, 128}, {200, 56},
		{255, 1}, {1, 255}, {17, 239}, {240, 16}, {2, 254},
	}
	sizes := []int{1, 7, 16, 17, 31, 33, 64, 100, 255, 1000, 4097}
	seed := uint32(0x9e3779b9)
	for si, km := range shapes {
		k, m := km[0], km[1]
		for zi, size := range sizes {
			// Keep the file small and the tests quick: large shapes get fewer sizes.
			if (k+m)*size > 1<<20 || (k+m > 64 && zi%3 != si%3) {
				continue
			}
			seed = seed*1664525 + 1013904223
			if seed == 0 {
				seed = 1
			}
			parity := encode(k, m, fill(seed, k, size))
			h := sha256.New()
			for _, p := range parity {
				h.Write(p)
			}
			line := fmt.Sprintf("encode %d %d %d %d %s", k, m, size, seed, hex.EncodeToString(h.Sum(nil)))
			if m*size <= 48 {
				all := []byte{}
				for _, p := range parity {
					all = append(all, p...)
				}
				line += " " + hex.EncodeToString(all)
			}
			fmt.Println(line)
		}
	}
	// Two larger shards, where the SIMD body, the unroll and the scalar tail all run.
	for _, v := range [][3]int{{10, 4, 65536 + 77}, {4, 2, 200003}} {
		seed = seed*1664525 + 1013904223
		parity := encode(v[0], v[1], fill(seed, v[0], v[2]))
		h := sha256.New()
		for _, p := range parity {
			h.Write(p)
		}
		fmt.Printf("encode %d %d %d %d %s\n", v[0], v[1], v[2], seed, hex.EncodeToString(h.Sum(nil)))
	}
}
