"""A tiny Rasa project (three intents, a DIET classifier, rules) that trains in seconds.

For tests of the model tooling: training, evaluation, zero-downtime swaps.
"""

from __future__ import annotations

from pathlib import Path

CONFIG = """\
recipe: default.v1
language: id
assistant_id: tabik-tiny
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 3
  - name: DIETClassifier
    epochs: 30
    random_seed: 7
    entity_recognition: false
    number_of_transformer_layers: 0
  - name: FallbackClassifier
    threshold: 0.3
policies:
  - name: RulePolicy
"""

DOMAIN = """\
version: "3.1"
intents: [greet, goodbye, check_status]
responses:
  utter_greet:
    - text: "Halo, Bapak/Ibu."
  utter_goodbye:
    - text: "Sampai jumpa."
  utter_status:
    - text: "Sebutkan nomor tiket Anda."
  utter_default:
    - text: "Maaf, saya belum paham."
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
"""

NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - halo
    - hai
    - selamat pagi
    - assalamualaikum
    - pagi min
    - halo kak
- intent: goodbye
  examples: |
    - dadah
    - sampai jumpa
    - selamat tinggal
    - bye
    - sudah dulu ya
- intent: check_status
  examples: |
    - cek status tiket
    - status aduan saya
    - tiket saya sampai mana
    - cek tiket
    - aduan saya gimana
    - lacak laporan
"""

RULES = """\
version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
- rule: goodbye
  steps:
  - intent: goodbye
  - action: utter_goodbye
- rule: status
  steps:
  - intent: check_status
  - action: utter_status
- rule: fallback
  steps:
  - intent: nlu_fallback
  - action: utter_default
"""

HELD_OUT = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - halo min
    - hai kak
    - pagi
- intent: goodbye
  examples: |
    - dah dulu
    - sampai ketemu
- intent: check_status
  examples: |
    - status tiket saya
    - cek aduan
"""


def write_tiny_project(root: Path) -> Path:
    (root / "nlu" / "data" / "nlu").mkdir(parents=True, exist_ok=True)
    (root / "nlu" / "data" / "rules").mkdir(parents=True, exist_ok=True)
    (root / "config.yml").write_text(CONFIG)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "nlu" / "data" / "nlu" / "basics.yml").write_text(NLU)
    (root / "nlu" / "data" / "rules" / "basics.yml").write_text(RULES)
    (root / "held_out.yml").write_text(HELD_OUT)
    return root
