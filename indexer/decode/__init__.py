"""Pure decoding of the contracts' logs into typed events: no network, no database."""

from indexer.decode.decoder import decode_log, decode_logs
from indexer.decode.events import EVENT_TYPES, DecodedEvent, event_to_dict
from indexer.decode.words import DecodeError

__all__ = ["DecodeError", "DecodedEvent", "EVENT_TYPES", "decode_log", "decode_logs", "event_to_dict"]
