#!/usr/bin/python3
"""Runs a command on a new pseudo-terminal, types a PIN after its prompt and
reports whether the PIN was echoed (pcsc card_sign_test.sh: `openmyna sign
--card` asks for the PIN without echo when stdin is a terminal).

Usage: tty_pin.py PROMPT_WORD PIN COMMAND [ARG...]
Prints the terminal transcript; exit status: the command's, or 90 when the
PIN appears in the transcript, 91 when the prompt never came (20 s)."""
import os
import pty
import select
import sys
import time


def main():
    prompt, pin, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    transcript = b""
    typed = False
    deadline = time.monotonic() + 20
    while True:
        timeout = max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            if not typed:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                sys.stdout.write(transcript.decode("utf-8", "replace"))
                return 91
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            break
        transcript += chunk
        if not typed and prompt.encode() in transcript:
            time.sleep(0.2)  # let it switch echo off after the prompt
            os.write(fd, pin.encode() + b"\n")
            typed = True
            deadline = time.monotonic() + 60
    _, status = os.waitpid(pid, 0)
    text = transcript.decode("utf-8", "replace")
    sys.stdout.write(text)
    if pin in text:
        return 90
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
