// A Go program: the runtime counts CPUs with the raw sched_getaffinity system call.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Println(runtime.NumCPU())
}
