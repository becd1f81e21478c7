// Command ferretdb runs FerretDB 1.24 (SQLite backend) embedded, so CI and local tests
// get a real MongoDB wire-protocol server without downloading MongoDB binaries.
package main

import (
	"context"
	"flag"
	"fmt"
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
