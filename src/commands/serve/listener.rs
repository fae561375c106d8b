//! The accept loop and the runtime under it, and every bound on what a client can hold: at
//! most `MAX_CONNECTIONS` connections at once, each HTTP/1.1 (one request at a time) with a
//! deadline for each request's headers, for an idle connection and for writing each answer; the
//! requests' work on as many threads as there are cores; and a stop that lets requests in flight
//! finish for `GRACE`, then gives whatever work is left `LEFT_BEHIND` before the process exits.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};

/// Connections served at once; more wait in the kernel's backlog. Each holds one request at a
/// time, so this also bounds the requests in flight.
pub(super) const MAX_CONNECTIONS: usize = 512;
/// A request's headers must arrive within this, and an idle kept-alive connection is closed
/// after it.
pub(super) const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// An answer the client does not take within this (it stops reading) ends its connection.
pub(super) const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// After a stop signal, requests in flight get this long to finish.
pub(super) const GRACE: Duration = Duration::from_secs(10);
/// After the grace period, how long the work of unfinished requests (minting, verifying) may
/// still run before the process exits without it.
pub(super) const LEFT_BEHIND: Duration = Duration::from_millis(500);
/// Request head and read buffer, per connection.
const MAX_BUFFER: usize = 64 * 1024;

/// The server's runtime: its requests' work (minting, verifying) runs on one thread per core,
/// and what more is asked waits its turn instead of starting a thread of its own.
pub(super) fn runtime() -> io::Result<Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores)
        .build()
}

/// Ends the runtime once `serve` has returned: work still running or queued gets
/// [`LEFT_BEHIND`], and is then abandoned (the process exits).
pub(super) fn shut_down(runtime: Runtime) {
    runtime.shutdown_timeout(LEFT_BEHIND);
}

/// Serves `app` on `listener` until `stop` completes, then lets open connections finish for
/// [`GRACE`] at most.
pub(super) async fn serve(listener: TcpListener, app: Router, stop: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut stop = std::pin::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                // Out of file descriptors, or a connection reset before it was accepted:
                // wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_BUFFER);
        let connection = builder.serve_connection(
            TokioIo::new(WriteDeadline::new(stream)),
            TowerToHyperService::new(app.clone()),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(GRACE) => {},
    }
}

/// A connection whose answers must be written within [`WRITE_TIMEOUT`]: the clock starts with
/// the first byte of an answer and stops when all of it is written (HTTP/1.1 flushes after
/// each answer, or after a run of pipelined ones). A client that stops reading fills the
/// socket's buffers, writing stalls, and the connection ends with an error at the deadline,
/// freeing its place; without this it would hold it forever.
struct WriteDeadline {
    stream: TcpStream,
    /// Set while an answer is being written.
    deadline: Option<Instant>,
    timer: Pin<Box<Sleep>>,
}

impl WriteDeadline {
    fn new(stream: TcpStream) -> Self {
        WriteDeadline {
            stream,
            deadline: None,
            timer: Box::pin(tokio::time::sleep(WRITE_TIMEOUT)),
        }
    }

    /// Writes with `write`, starting the clock if no answer was under way; past the deadline
    /// the write fails, and while it waits for the client, the timer is set to wake it then.
    fn write_before_deadline(
        &mut self,
        cx: &mut Context<'_>,
        write: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        let deadline = *self.deadline.get_or_insert_with(|| {
            let deadline = Instant::now() + WRITE_TIMEOUT;
            self.timer.as_mut().reset(deadline);
            deadline
        });
        let timed_out = || {
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read the answer in time",
            )))
        };
        if Instant::now() >= deadline {
            return timed_out();
        }
        match write(Pin::new(&mut self.stream), cx) {
            Poll::Pending => {
                ready!(self.timer.as_mut().poll(cx));
                timed_out()
            }
            done => done,
        }
    }
}

impl AsyncRead for WriteDeadline {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteDeadline {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .write_before_deadline(cx, |stream, cx| stream.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .write_before_deadline(cx, |stream, cx| stream.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    /// The answer is all written: the clock stops.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.stream).poll_flush(cx))?;
        this.deadline = None;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
