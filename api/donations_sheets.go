package api

import (
	"bufio"
	"errors"
	"io"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
)

// donationDecoder returns the decoder of a donation import's body: a CSV,
// or an .xlsx workbook — by its Content-Type, or by its first bytes (a
// zip) when the type says nothing (exchange.DetectDonationFormat).
func (s *Server) donationDecoder(c *gin.Context, places camera.Places) (exchange.DonationDecoder, error) {
	body := s.importBody(c)
	first, err := body.Peek(8)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readError(err)
	}
	format, err := exchange.DetectDonationFormat(c.GetHeader("Content-Type"), first)
	if err != nil {
		return nil, err
	}
	return exchange.NewDonationDecoder(format, body, places, s.now())
}
