"""Fogbank's Python runtime: the program an execution environment runs for `python3.*` functions.

It speaks the Lambda Runtime API (2018-06-01) and reproduces what AWS's Python runtime interface
client (`awslambdaric`, which the managed python runtimes run) does for user code: handler
resolution, the context object, logging set-up, error documents and init errors.

Standard library only. Started as `python3 -u bootstrap.py` with cwd = LAMBDA_TASK_ROOT.
The Runtime API is reached over the Unix socket in _FOGBANK_RUNTIME_SOCKET when the sandbox
provides one, else over TCP at AWS_LAMBDA_RUNTIME_API. A tiny HTTP/1.1 client is used instead
of http.client, whose import (email, ssl) costs ~20 ms of every cold start.
"""

import json
import logging
import os
import socket
import sys
import time

API_PREFIX = "/2018-06-01/runtime"
ERROR_LOG_LINE_TERMINATE = "\r"
ERROR_LOG_IDENT = "\u00a0"  # NO-BREAK SPACE: keeps indentation visible in CloudWatch
TEXT_LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
LAMBDA_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by temporarily "
    "rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)
JSON_LOG_RESERVED = {
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "processName", "process", "aws_request_id", "tenant_id",
    "taskName",
}  # fmt: skip

_request_id = None
_tenant_id = None


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


# --- Runtime API client -----------------------------------------------------------------


class RuntimeApiClient:
    """Sequential HTTP/1.1 requests on one keep-alive connection."""

    def __init__(self, host_port, socket_path):
        self.host_port = host_port
        self.socket_path = socket_path
        self.sock = None
        self.reader = None
        self.head_suffix = (
            " HTTP/1.1\r\nHost: %s\r\nUser-Agent: aws-lambda-python/%d.%d.%d-fogbank\r\n"
            % ((host_port,) + tuple(sys.version_info[:3]))
        ).encode("latin-1")

    def _connect(self):
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.socket_path)
        else:
            host, _, port = self.host_port.rpartition(":")
            sock = socket.create_connection((host, int(port)))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.reader = sock.makefile("rb")

    def _close(self):
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
        self.sock = None
        self.reader = None

    def request(self, method, path, headers=b"", body=None):
        """Returns (status, headers with lower-case names, body bytes)."""
        message = method.encode("latin-1") + b" " + path.encode("utf-8") + self.head_suffix + headers
        if body is None:
            message += b"\r\n"
        else:
            message += b"Content-Length: %d\r\n\r\n" % len(body) + body
        reused = self.sock is not None
        try:
            if not reused:
                self._connect()
            self.sock.sendall(message)
            status_line = self.reader.readline()
            if not status_line:
                raise ConnectionResetError("Runtime API closed the connection")
        except OSError:
            # A keep-alive connection the server closed while idle: nothing was processed.
            self._close()
            if not reused:
                raise
            self._connect()
            self.sock.sendall(message)
            status_line = self.reader.readline()
        return self._read_response(status_line)

    def _read_response(self, status_line):
        status = int(status_line[9:12])
        headers = {}
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("utf-8").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size = int(self.reader.readline().split(b";")[0], 16)
                if size == 0:
                    while self.reader.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.reader.read(size))
                self.reader.readline()
            body = b"".join(parts)
        else:
            body = self.reader.read(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def specialization(self):
        """A blank runtime's wait for its function (Fogbank's private endpoint)."""
        status, _, body = self.request("GET", "/fogbank/specialization")
        if status != 200:
            raise RuntimeError("Specialization failed: %d %r" % (status, body))
        return json.loads(body)["variables"]

    def next(self):
        status, headers, body = self.request("GET", API_PREFIX + "/invocation/next")
        if status != 200:
            raise RuntimeError("Failed to get next invocation: %d %r" % (status, body))
        return headers, body

    def post_response(self, request_id, body, content_type):
        self.request(
            "POST",
            "%s/invocation/%s/response" % (API_PREFIX, request_id),
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n",
            body,
        )

    def post_error(self, request_id, error_document):
        self._post_error("%s/invocation/%s/error" % (API_PREFIX, request_id), error_document)

    def post_init_error(self, error_document):
        self._post_error(API_PREFIX + "/init/error", error_document)

    def _post_error(self, path, error_document):
        error_type = error_document["errorType"].replace("\r", " ").replace("\n", " ")
        headers = (
            b"Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: "
            + error_type.encode("utf-8")
            + b"\r\n"
        )
        self.request("POST", path, headers, to_json(error_document).encode("utf-8"))


# --- Relay for Fogbank's API (AWS_ENDPOINT_URL) inside a namespace sandbox ------------------


def start_api_relay(endpoint_url, socket_path):
    """Serves 127.0.0.1:<port of AWS_ENDPOINT_URL> by piping each connection to socket_path."""
    import threading
    from urllib.parse import urlsplit

    port = urlsplit(endpoint_url).port or 80
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind(("127.0.0.1", port))
        server.listen(64)
    except OSError as e:
        sys.stderr.write("fogbank relay: cannot serve 127.0.0.1:%d: %s\n" % (port, e))
        server.close()
        return

    def pump(source, target, open_directions):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        # The second direction to finish closes the pair (list.pop is atomic).
        open_directions.pop()
        if not open_directions:
            source.close()
            target.close()

    def serve():
        while True:
            client, _ = server.accept()
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(socket_path)
            except OSError:
                client.close()
                upstream.close()
                continue
            open_directions = [1, 2]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=pump, args=(source, target, open_directions), daemon=True
                ).start()

    threading.Thread(target=serve, name="fogbank-api-relay", daemon=True).start()


# --- Logging -------------------------------------------------------------------------------


def to_json(value):
    return json.dumps(value)


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        sys.stdout.write(self.format(record))


class JsonFormatter(logging.Formatter):
    def __init__(self):
        super().__init__(datefmt=DATETIME_FORMAT)

    def formatTime(self, record, datefmt=None):
        return (
            time.strftime(DATETIME_FORMAT, time.gmtime(record.created))
            + ".%03dZ" % record.msecs
        )

    def format(self, record):
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc_info = record.exc_info
        if exc_info:
            import traceback

            stack_trace = traceback.format_tb(exc_info[2])
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": stack_trace if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": (
                "%s:%s:%s" % (record.pathname, record.funcName, record.lineno)
                if exc_info
                else None
            ),
        }
        if getattr(record, "tenant_id", None) is not None:
            result["tenantId"] = record.tenant_id
        result.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in JSON_LOG_RESERVED and key not in result
        )
        result = {k: v for k, v in result.items() if v is not None}
        return json.dumps(result, ensure_ascii=False, default=str) + "\n"


def setup_logging(json_format, log_level):
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    if json_format:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_LOG_FORMAT, DATETIME_FORMAT))
    handler.addFilter(LambdaLoggerFilter())
    root = logging.getLogger()
    if log_level in logging._nameToLevel:
        root.setLevel(log_level)
    root.addHandler(handler)


def replace_line_indentation(line, indent_char, new_indent_char):
    count = len(line) - len(line.lstrip(indent_char))
    return new_indent_char * count + line[count:]


def log_error(error_document, json_format):
    if json_format:
        record = {
            "timestamp": time.strftime(DATETIME_FORMAT, time.gmtime()),
            "level": "ERROR",
        }
        record.update(error_document)
        sys.stdout.write(to_json(record) + "\n")
        return
    description = "[ERROR]"
    if error_document.get("errorType"):
        description += " " + error_document["errorType"]
    if error_document.get("errorMessage"):
        if error_document.get("errorType"):
            description += ":"
        description += " " + error_document["errorMessage"]
    lines = [description]
    stack_trace = error_document.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(
                    replace_line_indentation(line, " ", ERROR_LOG_IDENT)
                    for line in element.splitlines()
                )
    sys.stdout.write(ERROR_LOG_LINE_TERMINATE.join(lines) + "\n")


# --- Handler resolution and errors ---------------------------------------------------------


def make_error(error_message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_frames(tb):
    """Traceback frames from the first one outside this file on."""
    import traceback

    frames = traceback.extract_tb(tb)
    for index, frame in enumerate(frames):
        if frame.filename != __file__:
            return traceback.format_list(frames[index:])
    return traceback.format_list(frames)


def get_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(
            FaultException.MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (handler, e)
        )
    import importlib

    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module %s as a handler module" % module_name,
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR,
            "Unable to import module '%s': %s" % (module_name, e),
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '%s': %s" % (module_name, e),
            trace,
        )
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND,
            "Handler '%s' missing on module '%s'" % (function_name, module_name),
        )


# --- The context object --------------------------------------------------------------------


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def make_obj_from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field))
    return obj


class LambdaContext:
    def __init__(
        self, request_id, client_context, identity, deadline_ms, invoked_function_arn, tenant_id
    ):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = make_obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = make_obj_from_dict(Client, self.client_context.client)
        self.identity = make_obj_from_dict(CognitoIdentity, {})
        if identity is not None:
            self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))


def parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            "Unable to parse %s JSON: %s" % (name, e),
        )


# --- The invocation loop -------------------------------------------------------------------


def handle_invocation(client, request_handler, headers, body, json_format):
    request_id = headers.get("lambda-runtime-aws-request-id")
    error_document = None
    try:
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        context = LambdaContext(
            request_id,
            parse_json_header(client_context, "Client Context") if client_context else None,
            parse_json_header(identity, "Cognito Identity") if identity else None,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"),
        )
        try:
            event = json.loads(body)
        except Exception as e:
            raise FaultException(
                FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % e
            )
        response = request_handler(event, context)
        if isinstance(response, bytes):
            result, content_type = response, "application/unknown"
        else:
            try:
                result, content_type = to_json(response).encode("utf-8"), "application/json"
            except Exception as e:
                raise FaultException(
                    FaultException.MARSHAL_ERROR, "Unable to marshal response: %s" % e
                )
    except FaultException as e:
        error_document = make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception:
        error_type, value, tb = sys.exc_info()
        error_document = make_error(str(value), error_type.__name__, user_frames(tb), request_id)

    if error_document is not None:
        log_error(error_document, json_format)
        sys.stdout.flush()
        client.post_error(request_id, error_document)
    else:
        sys.stdout.flush()
        client.post_response(request_id, result, content_type)


def prepare_sys_path(task_root):
    """User code first, as on Lambda; never this runtime's own directory."""
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    layer_paths = [
        "/opt/python/lib/python%d.%d/site-packages" % sys.version_info[:2],
        "/opt/python",
    ]
    sys.path[0:0] = [task_root] + [p for p in layer_paths if os.path.isdir(p)]


def become_function(env, variables):
    """A pre-booted blank runtime becomes its function: its variables replace the blank's,
    its code (mounted at /var/task after the sandbox started) becomes the working directory.
    Init, as Lambda measures it, starts here."""
    env.clear()
    env.update(variables)
    os.chdir(env["LAMBDA_TASK_ROOT"])
    time.tzset()
    # PYTHONPATH was read at start-up, when it was the blank's.
    sys.path[1:1] = [p for p in env.get("PYTHONPATH", "").split(":") if p]


def main():
    global _request_id, _tenant_id
    env = os.environ
    blank = env.get("_FOGBANK_BLANK") == "1"
    runtime_socket = env.get("_FOGBANK_RUNTIME_SOCKET")
    api_socket = env.get("_FOGBANK_API_SOCKET")
    if api_socket and env.get("AWS_ENDPOINT_URL"):
        start_api_relay(env["AWS_ENDPOINT_URL"], api_socket)
    for name in [name for name in env if name.startswith("_FOGBANK_")]:
        del env[name]
    client = RuntimeApiClient(env["AWS_LAMBDA_RUNTIME_API"], runtime_socket)
    if blank:
        become_function(env, client.specialization())

    json_format = (env.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"
    log_level = {None: "", "TRACE": "DEBUG"}.get(
        env.get("AWS_LAMBDA_LOG_LEVEL"), env.get("AWS_LAMBDA_LOG_LEVEL")
    ).upper()

    task_root = env.get("LAMBDA_TASK_ROOT") or os.getcwd()
    prepare_sys_path(task_root)
    setup_logging(json_format, log_level)

    try:
        request_handler = get_handler(env.get("_HANDLER", ""))
    except FaultException as e:
        error_document = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        error_type, value, tb = sys.exc_info()
        error_document = make_error(str(value), error_type.__name__, user_frames(tb))
    else:
        error_document = None
    if error_document is not None:
        logging.warning(LAMBDA_WARNING)
        log_error(error_document, json_format)
        sys.stdout.flush()
        client.post_init_error(error_document)
        sys.exit(1)

    while True:
        headers, body = client.next()
        _request_id = headers.get("lambda-runtime-aws-request-id")
        _tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id is not None:
            env["_X_AMZN_TRACE_ID"] = trace_id
        elif "_X_AMZN_TRACE_ID" in env:
            del env["_X_AMZN_TRACE_ID"]
        handle_invocation(client, request_handler, headers, body, json_format)


if __name__ == "__main__":
    main()
