/** Command and response APDUs per ISO/IEC 7816-4 §5.1, with strict length validation. */
package org.cardstack.iso7816.apdu;
