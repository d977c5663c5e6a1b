package dev.genledger.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 at the socket, for requests REST Assured cannot send: a head that promises a body
 * which never comes, or a chunked body that stops half-way. What the server answers before the
 * body arrives shows whether it waited for it.
 */
public final class RawHttp implements AutoCloseable {

    /** A response: its status, head (lower-case header names) and body. */
    public record Answer(int status, String head, String body) {
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private final Socket socket;

    public RawHttp(int port, int readTimeoutMillis) throws IOException {
        socket = new Socket("localhost", port);
        socket.setSoTimeout(readTimeoutMillis);
    }

    /** Sends the request line and headers (each "Name: value"), and no body. */
    public RawHttp head(String requestLine, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: localhost\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("\r\n");
        return send(head.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** Sends one chunk of a chunked body (without the closing empty chunk). */
    public RawHttp chunk(byte[] data) throws IOException {
        send((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        send(data);
        return send("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one response with a Content-Length body; a SocketTimeoutException if none comes in time. */
    public Answer answer() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response head");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(text.substring(9, 12));
        Answer headOnly = new Answer(status, text, "");
        String length = headOnly.header("Content-Length");
        byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        return new Answer(status, text, new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
