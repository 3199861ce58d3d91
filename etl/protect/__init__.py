"""Protection: token key, keyed HMAC tokens, display masks, generalisations and zone projection."""
