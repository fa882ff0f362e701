// Decoders arrive with the state engine.
