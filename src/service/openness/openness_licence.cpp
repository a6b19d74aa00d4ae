// Licence lists and MOF's type-appropriateness rule (see openness_licence.hpp).
#include "service/openness/openness_licence.hpp"

#include <algorithm>
#include <iterator>

#include "formats/card/card_values.hpp"

namespace vitrine::service {
namespace {

// OSI-approved licences, as Hugging Face spells them (lower-case SPDX ids).
constexpr std::string_view kOsiLicences[] = {
    "apache-2.0", "mit",      "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear",
    "0bsd",       "isc",      "mpl-2.0",      "lgpl-2.1",     "lgpl-3.0",
    "gpl-2.0",    "gpl-3.0",  "agpl-3.0",     "epl-1.0",      "epl-2.0",
    "ecl-2.0",    "afl-3.0",  "artistic-2.0", "bsl-1.0",      "zlib",
    "unlicense",  "upl-1.0",  "ms-pl",        "osl-3.0",      "postgresql",
    "ncsa",       "eupl-1.1", "eupl-1.2",     "lgpl-lr",      "mulanpsl-2.0",
    "cecill-2.1"};

// Open data licences: MOF's list plus the attribution and share-alike licences used for most
// open corpora (CC-BY-4.0, CC-BY-SA-4.0, ODC-BY, ODbL, CDLA-Sharing).
constexpr std::string_view kOpenDataLicences[] = {"cdla-permissive-1.0",
                                                  "cdla-permissive-2.0",
                                                  "cdla-sharing-1.0",
                                                  "c-uda-1.0",
                                                  "cc0-1.0",
                                                  "pddl-1.0",
                                                  "cc-pddc",
                                                  "cc-by-4.0",
                                                  "cc-by-sa-4.0",
                                                  "odc-by",
                                                  "odbl-1.0"};

// Open licences for documents (MOF's list).
constexpr std::string_view kOpenDocumentLicences[] = {"cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0",
                                                      "cc0-1.0",   "freebsd-doc",  "cc-by-3.0"};

// Licences written for all three content types.
constexpr std::string_view kUniversalLicences[] = {"openmdw-1.0"};

template <size_t N>
bool listed(const std::string_view (&list)[N], std::string_view id) {
  return std::find(std::begin(list), std::end(list), id) != std::end(list);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether an open licence is acceptable for a type in a scope.
bool acceptable(std::string_view id, ContentType type, LicenceScope scope, bool parameters) {
  if (listed(kUniversalLicences, id)) return true;
  bool osi = listed(kOsiLicences, id);
  bool data = listed(kOpenDataLicences, id);
  bool document = listed(kOpenDocumentLicences, id);
  switch (type) {
    case ContentType::kCode:
      return osi;
    case ContentType::kData:
      return data || (osi && parameters);
    case ContentType::kDocument:
      // A repository's licence covers the documents kept in it, whatever its type.
      return document || (scope == LicenceScope::kRepository && (osi || data));
  }
  return false;
}

}  // namespace

std::string normalize_licence(std::string_view id) {
  std::string out = lower_ascii(trim_ascii(id));
  for (std::string_view suffix : {"-only", "-or-later", "+"}) {
    if (ends_with(out, suffix)) out.resize(out.size() - suffix.size());
  }
  if (out == "pddl") return "pddl-1.0";
  if (out == "odbl") return "odbl-1.0";
  if (out == "odc-by-1.0") return "odc-by";
  if (out == "cc0") return "cc0-1.0";
  return out;
}

bool is_open_licence(std::string_view id) {
  std::string n = normalize_licence(id);
  return listed(kOsiLicences, n) || listed(kOpenDataLicences, n) ||
         listed(kOpenDocumentLicences, n) || listed(kUniversalLicences, n);
}

std::string licence_status(const std::vector<std::string>& licences, ContentType type,
                           LicenceScope scope, bool parameters) {
  if (licences.empty()) return "unlicensed";
  bool inappropriate = false;
  for (const auto& licence : licences) {
    std::string id = normalize_licence(licence);
    if (!is_open_licence(id)) return "invalid-license";
    if (!acceptable(id, type, scope, parameters)) inappropriate = true;
  }
  return inappropriate ? "not-type-appropriate" : "included";
}

}  // namespace vitrine::service
