# The fuzz targets, shared by fuzz/CMakeLists.txt (libFuzzer binaries) and fuzz/replay.cmake
# (corpus replay under the normal test build). Target `x` lives in fuzz/x_fuzzer.cpp and its
# seed corpus in fuzz/corpus/x/.
set(VITRINE_FUZZ_TARGETS
  commit_ops
  front_matter
  card_renderer
  lfs_pointer
  git_attributes
  git_ignore
  wildmatch
  repo_path
  repo_name
  percent_decode
  base64_decode
  query_params
  http_request
  xorb_parse
  shard_parse
  xet_token
  tile_path
  signed_note
  tlog_client
  safetensors_header
  gguf_header
  training_manifest
  untrusted_json
  data_files
  csv_reader
  json_reader
  decompress
  parquet_footer
  parquet_pages
  parquet_rows
  media_info
  row_filter
  parquet_writer
  search_text)
