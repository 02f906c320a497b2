# Action server and web app image (the project's Python 3.11 package, CPU-only torch).
# Multi-stage: dependencies are built in a venv in the first stage, the runtime stage copies
# the venv and runs as an unprivileged user.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# CPU wheels of torch keep the image small (no CUDA libraries).
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY actions ./actions
RUN pip install .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 shopbot
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=shopbot:shopbot data/shop ./data/shop
COPY --chown=shopbot:shopbot actions ./actions
ENV PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
USER shopbot
EXPOSE 5055 8000
# Default: the action server (token-protected launcher). The web service overrides the command.
CMD ["python", "-m", "actions.server", "--host", "0.0.0.0", "--port", "5055"]
