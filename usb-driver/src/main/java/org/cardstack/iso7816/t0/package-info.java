/**
 * Mapping of command APDUs onto T=0 command TPDUs, ISO/IEC 7816-3 §12.2. Procedure bytes and the
 * 61xx / 6Cxx follow-ups (GET RESPONSE, re-issue with Le) belong to the layer above.
 */
package org.cardstack.iso7816.t0;
