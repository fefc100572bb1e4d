"""The REST API that EHR systems call: clients, tokens, endpoints, audit."""
