// Command ferretdb runs FerretDB 1.24 (SQLite backend) embedded, so development, tests and CI get
// a real MongoDB wire-protocol server where no MongoDB binary can be downloaded. The Node launcher
// (src/db/embedded/ferretdb.ts) builds it with the Go toolchain and starts it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free one)")
	dataDir := flag.String("data", "", "directory for the SQLite files (required)")
	uriFile := flag.String("uri-file", "", "write the MongoDB URI here once listening")
	watchStdin := flag.Bool("exit-with-stdin", false, "stop when standard input closes (the parent process is gone)")
	flag.Parse()
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "-data is required")
		os.Exit(2)
	}

	addr := *listen
	// Resolve port 0 ourselves so the URI we publish names the real port.
	if host, port, err := net.SplitHostPort(addr); err == nil && port == "0" {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		addr = l.Addr().String()
		l.Close()
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
		Logger:    logger,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		// A launcher killed with SIGKILL cannot stop us; its end of the pipe closing tells us instead,
		// so no orphan keeps the SQLite files open.
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	uri := "mongodb://" + addr + "/"
	if *uriFile != "" {
		if err := os.WriteFile(*uriFile+".tmp", []byte(uri), 0o644); err == nil {
			_ = os.Rename(*uriFile+".tmp", *uriFile)
		}
	}
	fmt.Println(uri)

	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
