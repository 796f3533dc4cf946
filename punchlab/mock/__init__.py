"""The Postman side (tutorial step 2): the collection and the mock server that answers it.

* `collection`: load a Postman collection and its saved examples (`load_collection`).
* `openapi`: an OpenAPI 3.0/3.1 document imported as a collection (`load_openapi`).
* `openapi_document`: reading, checking and `$ref`-resolving that document.
* `schema_sample`: example values generated from schemas.
* `messages`: `MockRequest` / `MockResponse`, the request body limit (`MAX_BODY_BYTES`).
* `matching`: how Postman's cloud mock picks the saved example for a request.
* `replay`: answers from the saved examples (`mode="replay"`).
* `live`: a small, real time-punch API over the collection's users (`mode="live"`).
* `faults`: latency, error rate and rate limit on top of either mode.
* `auth`: what a mock demands of its callers (`RequireApiKey`, `RequireBasic`, `RequireBearer`).
* `transport`: in-process httpx transports and the raw ASGI app over anything that responds.
* `localserver`: `LocalServer`, uvicorn on a localhost port in a background thread.
* `server`: `MockServer`, the one object the notebooks use (`serve()`, `mount()`, `client()`).
* `cli`: `punchlab serve`.

May import the shared modules at the top of `punchlab/`; never `punchlab.talkdesk` or
`punchlab.course`.
"""
